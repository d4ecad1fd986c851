/* Per-VM EPT: a 4-level table that maps guest-physical [0, size) to the
 * VM's own host pages and nothing else (SDM Vol. 3C 29.3). Any other guest
 * access is an EPT violation. Where a 2 MiB stretch of guest memory lies
 * on a 2 MiB-aligned stretch of host memory, and the CPU allows it
 * (IA32_VMX_EPT_VPID_CAP bit 16), one PD entry maps it as a 2 MiB page;
 * elsewhere a page table maps 4 KiB pages. Pure C over an identity-mapped
 * allocator. */
#ifndef VMM_EPT_H
#define VMM_EPT_H
#include <stdbool.h>
#include <stdint.h>
#include "vmm/pagealloc.h"

#define EPT_MAX_BYTES (1ull << 30)   /* one PD: up to 1 GiB per VM */
#define EPT_LARGE (2ull << 20)       /* a PD entry's page */

/* The tables' pages for a VM of size bytes at host_pa: PML4, PDPT, PD
 * and one page table per 2 MiB stretch not mapped by a large page. */
unsigned ept_pages(uint64_t host_pa, uint64_t size, bool large);
/* Returns the PML4 address (ept_pages contiguous pages), or 0. */
uint64_t ept_build(struct pagealloc *a, uint64_t host_pa, uint64_t size, bool large);

#endif
