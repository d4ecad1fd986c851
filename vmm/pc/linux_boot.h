/* The Linux x86 boot protocol's 32-bit entry (Documentation/arch/x86/
 * boot.rst, "32-bit boot protocol"): a bzImage's protected-mode part at
 * 1 MiB, a zero page (struct boot_params) with the setup header copied
 * from the image, an e820 map, the command line and the initrd, and the
 * registers and segments the kernel expects at its 32-bit entry. Pure C
 * over the guest's memory as the host sees it.
 *
 * The guest's memory layout (guest-physical):
 *   0x00000  zero; the BIOS data area says 639 KiB of base memory
 *   0x05000  a GDT: 0x10 flat 32-bit code, 0x18 flat data
 *   0x07000  boot_params (the zero page)
 *   0x08000  the command line
 *   0x9fc00  reserved to 1 MiB in the e820 map (EBDA, VGA, BIOS)
 *   1 MiB    the kernel's protected-mode part (code32_start)
 *   top      the initrd, at the end of memory, page-aligned */
#ifndef VMM_PC_LINUX_BOOT_H
#define VMM_PC_LINUX_BOOT_H
#include <stddef.h>
#include <stdint.h>

#define LINUX_DEFAULT_CMDLINE                                                                        \
	"console=ttyS0 noapic nolapic acpi=off nosmp tsc=reliable mitigations=off quiet lpj=13999648 " \
	"cryptomgr.notests io_delay=none pci=off i8042.noaux noxsave"
#define LINUX_CMDLINE_MAX 2048

struct linux_files {
	const uint8_t *kernel;          /* the bzImage */
	size_t kernel_len;
	const uint8_t *initrd;          /* NULL: none */
	size_t initrd_len;
	const char *cmdline;            /* NULL: LINUX_DEFAULT_CMDLINE */
};

/* Where and how the kernel is entered, and what the loader found. */
struct linux_entry {
	uint32_t eip, esi;              /* code32_start; boot_params */
	uint16_t cs, ds;                /* __BOOT_CS, __BOOT_DS */
	uint32_t gdt_base;
	uint16_t gdt_limit;
	uint16_t version;               /* the image's boot protocol, e.g. 0x020f */
	uint32_t initrd_at;             /* guest-physical, 0 when none */
	uint64_t needs;                 /* the memory the kernel needs to unpack: bytes */
};

/* Lay the kernel out in mem (the guest's mem_size bytes, zeroed): NULL,
 * or why it cannot be booted (not a bzImage, too old a protocol, too
 * little memory). */
const char *linux_load(uint8_t *mem, uint64_t mem_size, const struct linux_files *f, struct linux_entry *e);

#endif
