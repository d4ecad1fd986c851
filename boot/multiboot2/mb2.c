/* Multiboot2 boot path: read GRUB's information structure into a bootinfo
 * and call hv_main. Runs in 64-bit mode with the first 4 GiB identity
 * mapped by entry.asm. */
#include <stdint.h>
#include "vmm/bootinfo.h"
#include "arch/x86/cpu.h"
#include "arch/x86/power.h"
#include "arch/x86/serial.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289
#define MB2_TAG_END     0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE  3
#define MB2_TAG_MMAP    6
#define MB2_TAG_ACPI_OLD 14          /* a copy of the ACPI 1.0 RSDP */
#define MB2_TAG_ACPI_NEW 15          /* a copy of the ACPI 2.0 RSDP */
#define MB2_MEM_USABLE  1
#define POOL_MAX        (512ull << 20)   /* the allocator's PAGEALLOC_MAX_PAGES */
#define FOUR_GIB        (4ull << 30)
/* The other CPUs' start-up page: usable, below 1 MiB, above the real-mode
 * interrupt table and the BIOS data area, and below the EBDA's usual
 * start (0x9fc00), which the map may not list as reserved. */
#define AP_PAGE_MIN     0x1000ull
#define AP_PAGE_END     0x9f000ull

extern char __image_end[];
extern uint64_t boot_tsc;

struct mb2_tag { uint32_t type, size; };
struct mb2_mmap_entry { uint64_t base, len; uint32_t type, reserved; };

static void __attribute__((noreturn)) mb2_power_off(int status)
{
	power_off_emulators(status);
	cpu_halt_forever();
	__builtin_unreachable();
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int overlaps(uint64_t page, uint64_t lo, uint64_t len)
{
	return page + 4096 > lo && page < lo + len;
}

/* The highest usable page in [AP_PAGE_MIN, AP_PAGE_END) outside what
 * GRUB handed over: the information structure at [mbi, mbi_end) and the
 * modules. */
static void mb2_pick_ap_page(struct bootinfo *bi, const struct mb2_tag *mmap, uint64_t mbi, uint64_t mbi_end)
{
	const uint32_t *w = (const uint32_t *)mmap;
	uint32_t esize = w[2];
	const uint8_t *p = (const uint8_t *)mmap + 16, *end = (const uint8_t *)mmap + mmap->size;
	for (; p + esize <= end; p += esize) {
		const struct mb2_mmap_entry *e = (const void *)p;
		uint64_t top = e->base + e->len < AP_PAGE_END ? e->base + e->len : AP_PAGE_END;
		uint64_t low = align_up(e->base > AP_PAGE_MIN ? e->base : AP_PAGE_MIN, 4096);
		if (e->type != MB2_MEM_USABLE)
			continue;
		/* next: the end of the page tried, walking down from the top */
		for (uint64_t next = top & ~4095ull; next >= low + 4096 && next - 4096 > bi->ap_page; next -= 4096) {
			uint64_t page = next - 4096;
			if (overlaps(page, mbi, mbi_end - mbi) ||
			    overlaps(page, (uint64_t)bi->entrycheck, bi->entrycheck_len) ||
			    overlaps(page, (uint64_t)bi->linux_kernel.data, bi->linux_kernel.len) ||
			    overlaps(page, (uint64_t)bi->linux_initrd.data, bi->linux_initrd.len))
				continue;
			bi->ap_page = page;
			break;
		}
	}
}

/* Pick the pool: the largest usable range above everything GRUB loaded. */
static void mb2_pick_pool(struct bootinfo *bi, const struct mb2_tag *mmap, uint64_t floor)
{
	const uint32_t *w = (const uint32_t *)mmap;
	uint32_t esize = w[2];
	const uint8_t *p = (const uint8_t *)mmap + 16, *end = (const uint8_t *)mmap + mmap->size;
	for (; p + esize <= end; p += esize) {
		const struct mb2_mmap_entry *e = (const void *)p;
		if (e->type != MB2_MEM_USABLE)
			continue;
		bi->usable_bytes += e->len;
		bi->usable_ranges++;
		uint64_t lo = align_up(e->base > floor ? e->base : floor, 4096);
		uint64_t hi = e->base + e->len < FOUR_GIB ? e->base + e->len : FOUR_GIB;
		if (hi > lo && hi - lo > bi->pool_size) {
			bi->pool_base = lo;
			bi->pool_size = (hi - lo) & ~4095ull;
		}
	}
	if (bi->pool_size > POOL_MAX)
		bi->pool_size = POOL_MAX;
}

/* Does the module's string start with word w (then a space or its end)? */
static const char *module_word(const char *str, const char *w)
{
	while (*w)
		if (*str++ != *w++)
			return NULL;
	if (*str && *str != ' ')
		return NULL;
	while (*str == ' ')
		str++;
	return str;
}

/* A module, by its string's first word: "linux" (the rest of the string,
 * if any, is the kernel's command line), "initrd", or a case file. */
static void mb2_module(struct bootinfo *bi, const uint32_t *m)
{
	const char *str = (const char *)(m + 2), *rest;
	struct boot_file f = { (const void *)(uint64_t)m[0], m[1] - m[0] };
	if ((rest = module_word(str, "linux"))) {
		bi->linux_kernel = f;
		bi->linux_cmdline = *rest ? rest : NULL;
	} else if (module_word(str, "initrd")) {
		bi->linux_initrd = f;
	} else {
		bi->entrycheck = f.data;
		bi->entrycheck_len = f.len;
	}
}

void mb2_main(uint32_t magic, uint64_t mbi)
{
	static struct bootinfo bi;
	const struct mb2_tag *mmap = 0;
	uint64_t floor = (uint64_t)__image_end;

	serial_init();
	bi.path = "multiboot2";
	bi.tsc_boot = boot_tsc;
	bi.cmdline = "";
	bi.power_off = mb2_power_off;
	if (magic != MB2_BOOTLOADER_MAGIC) {
		serial_write("hv ev=error what=\"not started by a multiboot2 loader\"\n", 55);
		mb2_power_off(1);
	}
	uint32_t total = *(const uint32_t *)mbi;
	if (mbi + total > floor)
		floor = mbi + total;
	for (uint64_t p = mbi + 8; p < mbi + total; p = align_up(p + ((const struct mb2_tag *)p)->size, 8)) {
		const struct mb2_tag *t = (const void *)p;
		if (t->type == MB2_TAG_END)
			break;
		if (t->type == MB2_TAG_CMDLINE)
			bi.cmdline = (const char *)(p + 8);
		if (t->type == MB2_TAG_MMAP)
			mmap = t;
		if (t->type == MB2_TAG_ACPI_NEW || (t->type == MB2_TAG_ACPI_OLD && !bi.acpi_rsdp))
			bi.acpi_rsdp = p + 8;
		if (t->type == MB2_TAG_MODULE) {
			const uint32_t *m = (const uint32_t *)(p + 8);
			mb2_module(&bi, m);
			if (m[1] > floor)
				floor = m[1];
		}
	}
	if (mmap) {
		mb2_pick_pool(&bi, mmap, align_up(floor, 4096));
		mb2_pick_ap_page(&bi, mmap, mbi, mbi + total);
	}
	hv_main(&bi);
}
