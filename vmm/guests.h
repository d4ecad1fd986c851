/* The tiny guests built into the image (guest/guests.def). */
#ifndef VMM_GUESTS_H
#define VMM_GUESTS_H
#include "vmm/vm.h"

const struct guest_image *guest_find(const char *name, unsigned len);

#endif
