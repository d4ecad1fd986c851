#include "vmm/ept.h"

#define EPT_RWX   7ull
#define EPT_WB    (6ull << 3)   /* memory type in leaf entries */
#define EPT_PS    (1ull << 7)   /* a PD entry that maps a 2 MiB page */

/* Is the 2 MiB stretch at guest offset off mapped by one PD entry? */
static bool large_here(uint64_t host_pa, uint64_t size, uint64_t off, bool large)
{
	return large && off + EPT_LARGE <= size && ((host_pa + off) & (EPT_LARGE - 1)) == 0;
}

unsigned ept_pages(uint64_t host_pa, uint64_t size, bool large)
{
	unsigned n = 3;                      /* PML4, PDPT, PD */
	for (uint64_t off = 0; off < size; off += EPT_LARGE)
		n += !large_here(host_pa, size, off, large);
	return n;
}

uint64_t ept_build(struct pagealloc *a, uint64_t host_pa, uint64_t size, bool large)
{
	if (size == 0 || size > EPT_MAX_BYTES || (size & (PAGE_SIZE - 1)))
		return 0;
	uint64_t base = pagealloc_get(a, ept_pages(host_pa, size, large));
	if (!base)
		return 0;
	uint64_t *pml4 = (uint64_t *)base, *pdpt = pml4 + 512, *pd = pdpt + 512, *pt = pd + 512;
	pml4[0] = (uint64_t)pdpt | EPT_RWX;
	pdpt[0] = (uint64_t)pd | EPT_RWX;
	for (uint64_t off = 0; off < size; off += EPT_LARGE) {
		if (large_here(host_pa, size, off, large)) {
			pd[off / EPT_LARGE] = (host_pa + off) | EPT_PS | EPT_WB | EPT_RWX;
			continue;
		}
		pd[off / EPT_LARGE] = (uint64_t)pt | EPT_RWX;
		for (uint64_t k = off; k < size && k < off + EPT_LARGE; k += PAGE_SIZE)
			pt[(k - off) / PAGE_SIZE] = (host_pa + k) | EPT_WB | EPT_RWX;
		pt += 512;
	}
	return base;
}
