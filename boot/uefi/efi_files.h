/* Files the UEFI boot path reads from the volume it was loaded from,
 * before it leaves the firmware. */
#ifndef BOOT_UEFI_EFI_FILES_H
#define BOOT_UEFI_EFI_FILES_H
#include <efi.h>
#include "vmm/bootinfo.h"

void *efi_read_file(EFI_FILE_HANDLE root, const char *name, UINTN *len);
void efi_free_file(void *data, UINTN len);
int efi_cmdline_lists_guest(const char *cmdline, const char *guest);
void efi_read_linux(EFI_FILE_HANDLE root, struct bootinfo *bi);

#endif
