/* The few C library functions the freestanding hypervisor needs. Not
 * linked into host unit tests, which use the host's C library. memcpy and
 * memset are in arch/x86/lib_mem.c: gnu-efi's libefi brings its own. */
#include <stddef.h>
#include <stdint.h>

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
