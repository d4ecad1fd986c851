/* Page allocator over one identity-mapped pool: first fit over a bitmap of
 * 4 KiB pages, contiguous runs, zeroed on allocation. Pure C. */
#ifndef VMM_PAGEALLOC_H
#define VMM_PAGEALLOC_H
#include <stdint.h>

#define PAGE_SIZE 4096ull
#define PAGEALLOC_MAX_PAGES 131072         /* 512 MiB pool */

struct pagealloc {
	uint64_t base;
	unsigned pages, used;
	uint8_t map[PAGEALLOC_MAX_PAGES / 8];
};

void pagealloc_init(struct pagealloc *a, uint64_t base, uint64_t size);
/* 0 when no run of n free pages exists. */
uint64_t pagealloc_get(struct pagealloc *a, unsigned n);
/* The same, for a run that starts at a multiple of align pages
 * (a power of two) from address 0. */
uint64_t pagealloc_get_aligned(struct pagealloc *a, unsigned n, unsigned align);
void pagealloc_put(struct pagealloc *a, uint64_t addr, unsigned n);

#endif
