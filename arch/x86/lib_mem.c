/* memcpy and memset for the multiboot2 image (gcc also emits calls to them
 * on its own), as string instructions moving 8 bytes per step: a byte loop
 * cost several instructions per byte and showed in the per-exit cost (see
 * README "Benchmarks"). The UEFI image takes gnu-efi's (libefi init.o). */
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *d, const void *s, size_t n)
{
	void *ret = d;
	size_t q = n / 8, r = n % 8;
	__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(r) : : "memory");
	return ret;
}

void *memset(void *d, int c, size_t n)
{
	void *ret = d;
	uint64_t v = 0x0101010101010101ull * (uint8_t)c;
	size_t q = n / 8, r = n % 8;
	__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(v) : "memory");
	return ret;
}
