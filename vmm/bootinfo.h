/* What a boot path hands to hv_main: the only thing the core knows about
 * the firmware it came from. */
#ifndef VMM_BOOTINFO_H
#define VMM_BOOTINFO_H
#include <stddef.h>
#include <stdint.h>

struct bootinfo {
	const char *path;          /* "multiboot2" or "uefi" */
	const char *cmdline;       /* key=value words; may start with the image name */
	uint64_t usable_bytes;     /* total usable RAM the firmware reported */
	unsigned usable_ranges;
	uint64_t pool_base;        /* identity-mapped, page-aligned memory for the */
	uint64_t pool_size;        /* hypervisor's page allocator, below 4 GiB */
	const char *entrycheck;    /* contents of an entrycheck case file, or NULL */
	size_t entrycheck_len;
	uint64_t tsc_boot;         /* TSC when the firmware handed over */
	uint64_t acpi_rsdp;        /* the ACPI RSDP's address, or 0: the CPUs (MADT) */
	uint64_t ap_page;          /* a 4 KiB page below 1 MiB kept free for the other */
	                           /* CPUs' start-up code, or 0 */
	/* The linux guest's files (docs/linux.md), each NULL when not given:
	 * GRUB modules named "linux" and "initrd" on the multiboot2 path,
	 * \linux\bzImage and \linux\initrd.gz on the ESP on the UEFI path.
	 * linux_cmdline: the kernel's command line (the rest of the "linux"
	 * module's string, or \linux\cmdline), or NULL for the default. */
	struct boot_file { const void *data; size_t len; } linux_kernel, linux_initrd;
	const char *linux_cmdline;
	/* Power off with status 0 (ok) or 1 (failure); never returns. */
	void (*power_off)(int status) __attribute__((noreturn));
};

void hv_main(const struct bootinfo *bi) __attribute__((noreturn));

#endif
