/* The tiny guests built into the image (guest/guests.def). */
#ifndef VMM_GUESTS_H
#define VMM_GUESTS_H
#include "vmm/vm.h"

const struct guest_image *guest_find(const char *name, unsigned len);
/* "prot32", "real16" or "long64", as guests.def and the trace say it. */
const char *guest_mode_name(enum guest_mode mode);
/* A long64 guest's page tables into its memory (mem: the host's view of
 * guest-physical 0); the PML4 is at guest_tables_gpa, the guest's CR3. */
void guest_build_tables(uint8_t *mem, uint64_t mem_size);

#endif
