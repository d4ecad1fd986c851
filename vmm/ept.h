/* Per-VM EPT: a 4-level table that maps guest-physical [0, size) to the
 * VM's own host pages and nothing else (SDM Vol. 3C 29.3). Any other guest
 * access is an EPT violation. Pure C over an identity-mapped allocator. */
#ifndef VMM_EPT_H
#define VMM_EPT_H
#include <stdint.h>
#include "vmm/pagealloc.h"

#define EPT_MAX_BYTES (2ull << 20)   /* one page table: up to 2 MiB per VM */
#define EPT_PAGES 4                  /* PML4, PDPT, PD, PT */

/* Returns the PML4 address (EPT_PAGES contiguous pages), or 0. */
uint64_t ept_build(struct pagealloc *a, uint64_t host_pa, uint64_t size);

#endif
