#include "vmm/pc/linux_boot.h"
#include <string.h>

/* Offsets in the bzImage's first sector and in boot_params, which share
 * the setup header's layout from 0x1f1 (boot.rst, "The real-mode kernel
 * header"; struct boot_params in arch/x86/include/uapi/asm/bootparam.h). */
#define HDR_SETUP_SECTS   0x1f1
#define HDR_BOOT_FLAG     0x1fe     /* 0xaa55 */
#define HDR_JUMP          0x200     /* a short jump: its byte 0x201 ends the header */
#define HDR_MAGIC         0x202     /* "HdrS" */
#define HDR_VERSION       0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS     0x211
#define HDR_CODE32_START  0x214
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE  0x21c
#define HDR_CMD_LINE_PTR  0x228
#define HDR_INITRD_MAX    0x22c
#define HDR_CMDLINE_SIZE  0x238
#define HDR_PREF_ADDRESS  0x258
#define HDR_INIT_SIZE     0x260
#define BP_E820_ENTRIES   0x1e8
#define BP_E820_TABLE     0x2d0
#define LOADED_HIGH       0x01      /* loadflags: the protected-mode part is at 1 MiB */
#define LOADER_UNKNOWN    0xff      /* type_of_loader: a loader without an ID */
#define PROTO_MIN         0x020a    /* 2.10: init_size and pref_address */

/* The layout above. */
#define BDA_BASE_KB   0x413
#define GDT_AT        0x5000u
#define ZERO_PAGE_AT  0x7000u
#define CMDLINE_AT    0x8000u
#define LOW_RAM_END   0x9fc00u
#define KERNEL_AT     0x100000u
#define E820_RAM      1
#define E820_RESERVED 2

static uint16_t rd16(const uint8_t *p, unsigned o) { uint16_t v; memcpy(&v, p + o, 2); return v; }
static uint32_t rd32(const uint8_t *p, unsigned o) { uint32_t v; memcpy(&v, p + o, 4); return v; }
static uint64_t rd64(const uint8_t *p, unsigned o) { uint64_t v; memcpy(&v, p + o, 8); return v; }
static void wr16(uint8_t *p, unsigned o, uint16_t v) { memcpy(p + o, &v, 2); }
static void wr32(uint8_t *p, unsigned o, uint32_t v) { memcpy(p + o, &v, 4); }
static void wr64(uint8_t *p, unsigned o, uint64_t v) { memcpy(p + o, &v, 8); }

static void e820_add(uint8_t *bp, uint64_t addr, uint64_t size, uint32_t type)
{
	uint8_t n = bp[BP_E820_ENTRIES];
	unsigned o = BP_E820_TABLE + 20u * n;
	wr64(bp, o, addr);
	wr64(bp, o + 8, size);
	wr32(bp, o + 16, type);
	bp[BP_E820_ENTRIES] = (uint8_t)(n + 1);
}

/* Flat 4 GiB descriptors (SDM Vol. 3A 3.4.5): code execute/read, data
 * read/write, both 32-bit, granularity 4 KiB. */
static void gdt_write(uint8_t *mem, struct linux_entry *e)
{
	uint64_t *gdt = (uint64_t *)(mem + GDT_AT);
	gdt[2] = 0x00cf9a000000ffffull;
	gdt[3] = 0x00cf92000000ffffull;
	e->gdt_base = GDT_AT;
	e->gdt_limit = 4 * 8 - 1;
	e->cs = 0x10;
	e->ds = 0x18;
}

/* The image's header, checked: NULL or why it is no bzImage we boot. */
static const char *header_check(const struct linux_files *f, unsigned *setup_bytes, uint16_t *version)
{
	const uint8_t *k = f->kernel;
	if (!k || f->kernel_len < 0x400)
		return "no Linux kernel: the boot file \"linux\" is missing or too short";
	if (rd16(k, HDR_BOOT_FLAG) != 0xaa55 || memcmp(k + HDR_MAGIC, "HdrS", 4))
		return "the boot file \"linux\" is not a bzImage (no HdrS header)";
	*version = rd16(k, HDR_VERSION);
	if (*version < PROTO_MIN)
		return "the kernel's boot protocol is older than 2.10";
	if (!(k[HDR_LOADFLAGS] & LOADED_HIGH))
		return "the kernel is not a bzImage (loadflags: not loaded high)";
	unsigned sects = k[HDR_SETUP_SECTS] ? k[HDR_SETUP_SECTS] : 4;
	*setup_bytes = (sects + 1) * 512;
	if (*setup_bytes >= f->kernel_len)
		return "the bzImage is truncated (no protected-mode part)";
	return NULL;
}

/* The initrd's place: page-aligned at the top of memory, below the
 * kernel's limit, above where the kernel unpacks itself. */
static const char *initrd_place(const uint8_t *k, uint64_t mem_size, const struct linux_files *f,
				struct linux_entry *e)
{
	uint64_t top = mem_size, max = (uint64_t)rd32(k, HDR_INITRD_MAX) + 1;
	if (top > max)
		top = max;
	if (!f->initrd || !f->initrd_len) {
		e->initrd_at = 0;
		return e->needs <= mem_size ? NULL : "too little memory for this kernel";
	}
	uint64_t at = (top - f->initrd_len) & ~0xfffull;
	if (f->initrd_len > top || at < e->needs)
		return "too little memory for this kernel and its initrd";
	e->initrd_at = (uint32_t)at;
	e->needs += f->initrd_len;
	return NULL;
}

const char *linux_load(uint8_t *mem, uint64_t mem_size, const struct linux_files *f, struct linux_entry *e)
{
	unsigned setup;
	memset(e, 0, sizeof(*e));
	const char *err = header_check(f, &setup, &e->version);
	if (err)
		return err;
	const uint8_t *k = f->kernel;
	size_t pm_len = f->kernel_len - setup;
	/* The kernel unpacks itself at its preferred address (or where it is,
	 * if higher) into init_size bytes. */
	uint64_t pref = rd64(k, HDR_PREF_ADDRESS), init = rd32(k, HDR_INIT_SIZE);
	e->needs = (pref > KERNEL_AT ? pref : KERNEL_AT) + (init > pm_len ? init : pm_len);
	if ((err = initrd_place(k, mem_size, f, e)))
		return err;
	const char *cmd = f->cmdline ? f->cmdline : LINUX_DEFAULT_CMDLINE;
	size_t cmd_len = strlen(cmd), cmd_max = rd32(k, HDR_CMDLINE_SIZE);
	if (cmd_len >= LINUX_CMDLINE_MAX || (cmd_max && cmd_len > cmd_max))
		return "the kernel command line is too long";

	memcpy(mem + KERNEL_AT, k + setup, pm_len);
	if (e->initrd_at)
		memcpy(mem + e->initrd_at, f->initrd, f->initrd_len);
	memcpy(mem + CMDLINE_AT, cmd, cmd_len + 1);
	wr16(mem, BDA_BASE_KB, LOW_RAM_END / 1024);
	gdt_write(mem, e);

	uint8_t *bp = mem + ZERO_PAGE_AT;
	unsigned hdr_end = HDR_JUMP + 2 + k[HDR_JUMP + 1];     /* the jump skips the header */
	memcpy(bp + HDR_SETUP_SECTS, k + HDR_SETUP_SECTS, hdr_end - HDR_SETUP_SECTS);
	bp[HDR_TYPE_OF_LOADER] = LOADER_UNKNOWN;
	wr32(bp, HDR_CODE32_START, KERNEL_AT);
	wr32(bp, HDR_CMD_LINE_PTR, CMDLINE_AT);
	wr32(bp, HDR_RAMDISK_IMAGE, e->initrd_at);
	wr32(bp, HDR_RAMDISK_SIZE, e->initrd_at ? (uint32_t)f->initrd_len : 0);
	e820_add(bp, 0, LOW_RAM_END, E820_RAM);
	e820_add(bp, LOW_RAM_END, KERNEL_AT - LOW_RAM_END, E820_RESERVED);
	e820_add(bp, KERNEL_AT, mem_size - KERNEL_AT, E820_RAM);
	e->eip = KERNEL_AT;
	e->esi = ZERO_PAGE_AT;
	return NULL;
}
