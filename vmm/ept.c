#include "vmm/ept.h"

#define EPT_RWX   7ull
#define EPT_WB    (6ull << 3)   /* memory type in leaf entries */

uint64_t ept_build(struct pagealloc *a, uint64_t host_pa, uint64_t size)
{
	if (size == 0 || size > EPT_MAX_BYTES || (size & (PAGE_SIZE - 1)))
		return 0;
	uint64_t base = pagealloc_get(a, EPT_PAGES);
	if (!base)
		return 0;
	uint64_t *pml4 = (uint64_t *)base, *pdpt = pml4 + 512, *pd = pdpt + 512, *pt = pd + 512;
	pml4[0] = (uint64_t)pdpt | EPT_RWX;
	pdpt[0] = (uint64_t)pd | EPT_RWX;
	pd[0] = (uint64_t)pt | EPT_RWX;
	for (uint64_t off = 0; off < size; off += PAGE_SIZE)
		pt[off / PAGE_SIZE] = (host_pa + off) | EPT_WB | EPT_RWX;
	return base;
}
