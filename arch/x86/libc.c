/* The few C library functions the freestanding images need (gcc also
 * emits calls to memcpy and memset on its own). Host programs use the
 * host's C library instead. memcpy and memset are string instructions
 * moving 8 bytes per step (a byte loop cost several instructions per byte
 * and showed in the per-exit cost); they are weak, so that the UEFI
 * image takes gnu-efi's where libefi brings them, and kept (used) through
 * link-time optimisation, which may emit calls to them after it has
 * decided what is referenced. */
#include <stddef.h>
#include <stdint.h>

__attribute__((weak, used)) void *memcpy(void *d, const void *s, size_t n)
{
	void *ret = d;
	size_t q = n / 8, r = n % 8;
	__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(r) : : "memory");
	return ret;
}

__attribute__((weak, used)) void *memset(void *d, int c, size_t n)
{
	void *ret = d;
	uint64_t v = 0x0101010101010101ull * (uint8_t)c;
	size_t q = n / 8, r = n % 8;
	__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(v) : "memory");
	return ret;
}

void *memmove(void *d, const void *s, size_t n)
{
	uint8_t *dd = d;
	const uint8_t *ss = s;
	if (dd < ss)
		while (n--)
			*dd++ = *ss++;
	else
		while (n--)
			dd[n] = ss[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const uint8_t *p = s;
	for (; n; n--, p++)
		if (*p == (uint8_t)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}
