#include "vmm/pagealloc.h"
#include <stdbool.h>
#include <string.h>

static int page_used(const struct pagealloc *a, unsigned i)
{
	return (a->map[i / 8] >> (i % 8)) & 1;
}

static void page_mark(struct pagealloc *a, unsigned i, int used)
{
	if (used)
		a->map[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		a->map[i / 8] &= (uint8_t)~(1u << (i % 8));
}

void pagealloc_init(struct pagealloc *a, uint64_t base, uint64_t size)
{
	memset(a, 0, sizeof(*a));
	a->base = base;
	uint64_t pages = size / PAGE_SIZE;
	a->pages = pages > PAGEALLOC_MAX_PAGES ? PAGEALLOC_MAX_PAGES : (unsigned)pages;
}

uint64_t pagealloc_get(struct pagealloc *a, unsigned n)
{
	return pagealloc_get_aligned(a, n, 1);
}

/* Is page i where an aligned run may start? */
static bool aligned_at(const struct pagealloc *a, unsigned i, unsigned align)
{
	return (((a->base / PAGE_SIZE) + i) & (align - 1)) == 0;
}

uint64_t pagealloc_get_aligned(struct pagealloc *a, unsigned n, unsigned align)
{
	unsigned run = 0, first = 0;
	for (unsigned i = 0; n && align && i < a->pages; i++) {
		if (page_used(a, i)) {
			run = 0;
			continue;
		}
		if (run == 0 && !aligned_at(a, i, align))
			continue;
		if (run++ == 0)
			first = i;
		if (run < n)
			continue;
		for (unsigned k = first; k <= i; k++)
			page_mark(a, k, 1);
		a->used += n;
		uint64_t addr = a->base + (uint64_t)first * PAGE_SIZE;
		memset((void *)addr, 0, n * PAGE_SIZE);
		return addr;
	}
	return 0;
}

void pagealloc_put(struct pagealloc *a, uint64_t addr, unsigned n)
{
	if (addr < a->base)
		return;
	unsigned first = (unsigned)((addr - a->base) / PAGE_SIZE);
	for (unsigned k = first; k < first + n && k < a->pages; k++) {
		if (page_used(a, k))
			a->used--;
		page_mark(a, k, 0);
	}
}
