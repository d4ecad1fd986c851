/* linux_load (vmm/pc/linux_boot.c): a small bzImage made here, laid out
 * in a guest memory buffer as the boot protocol's 32-bit entry wants it,
 * and each way an image or a memory size is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "vmm/pc/linux_boot.h"

#define MEM (32u << 20)
#define SETUP_SECTS 3
#define PM_LEN 8192
#define INIT_SIZE (4u << 20)
#define PREF (16u << 20)

static uint8_t *mem, image[(SETUP_SECTS + 1) * 512 + PM_LEN], initrd[5000];
static struct linux_files f;
static struct linux_entry e;

static void put16(uint8_t *p, unsigned o, uint16_t v) { memcpy(p + o, &v, 2); }
static void put32(uint8_t *p, unsigned o, uint32_t v) { memcpy(p + o, &v, 4); }
static void put64(uint8_t *p, unsigned o, uint64_t v) { memcpy(p + o, &v, 8); }
static uint16_t get16(unsigned o) { uint16_t v; memcpy(&v, mem + o, 2); return v; }
static uint32_t get32(unsigned o) { uint32_t v; memcpy(&v, mem + o, 4); return v; }
static uint64_t get64(unsigned o) { uint64_t v; memcpy(&v, mem + o, 8); return v; }

/* A bzImage of protocol 2.15: its setup header, then a protected-mode
 * part of recognisable bytes. */
static int setup(void **state)
{
	(void)state;
	mem = calloc(1, MEM);
	assert_non_null(mem);
	memset(image, 0, sizeof(image));
	image[0x1f1] = SETUP_SECTS;
	put16(image, 0x1fe, 0xaa55);
	image[0x200] = 0xeb;                 /* jmp short: the header ends at 0x202 + 0x66 */
	image[0x201] = 0x66;
	memcpy(image + 0x202, "HdrS", 4);
	put16(image, 0x206, 0x020f);
	image[0x211] = 0x01;                 /* LOADED_HIGH */
	put32(image, 0x22c, 0x7fffffff);     /* initrd_addr_max */
	put32(image, 0x238, 2047);           /* cmdline_size */
	put64(image, 0x258, PREF);           /* pref_address */
	put32(image, 0x260, INIT_SIZE);      /* init_size */
	image[0x267] = 0x5a;                 /* a last header byte, to be copied */
	for (unsigned i = 0; i < PM_LEN; i++)
		image[(SETUP_SECTS + 1) * 512 + i] = (uint8_t)(i * 7 + 1);
	for (unsigned i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i ^ 0x3c);
	f = (struct linux_files){ image, sizeof(image), initrd, sizeof(initrd), NULL };
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	return 0;
}

static void test_kernel_boot_params_and_entry(void **state)
{
	(void)state;
	assert_null(linux_load(mem, MEM, &f, &e));
	assert_memory_equal(mem + 0x100000, image + (SETUP_SECTS + 1) * 512, PM_LEN);
	/* the zero page: the header copied, then what the loader fills in */
	assert_int_equal(get16(0x7000 + 0x1fe), 0xaa55);
	assert_int_equal(mem[0x7000 + 0x267], 0x5a);
	assert_int_equal(get16(0x7000 + 0x206), 0x020f);
	assert_int_equal(mem[0x7000 + 0x210], 0xff);                /* type_of_loader */
	assert_int_equal(get32(0x7000 + 0x214), 0x100000);          /* code32_start */
	assert_int_equal(get32(0x7000 + 0x228), 0x8000);            /* cmd_line_ptr */
	assert_string_equal((const char *)mem + 0x8000, LINUX_DEFAULT_CMDLINE);
	/* the initrd at the top, page-aligned, its bytes there */
	uint32_t at = get32(0x7000 + 0x218);
	assert_int_equal(at, (MEM - sizeof(initrd)) & ~0xfffu);
	assert_int_equal(get32(0x7000 + 0x21c), sizeof(initrd));
	assert_memory_equal(mem + at, initrd, sizeof(initrd));
	/* e820: RAM below the EBDA, reserved to 1 MiB, RAM to the end */
	assert_int_equal(mem[0x7000 + 0x1e8], 3);
	const unsigned t = 0x7000 + 0x2d0;
	assert_int_equal(get64(t), 0);
	assert_int_equal(get64(t + 8), 0x9fc00);
	assert_int_equal(get32(t + 16), 1);
	assert_int_equal(get64(t + 20), 0x9fc00);
	assert_int_equal(get64(t + 28), 0x100000 - 0x9fc00);
	assert_int_equal(get32(t + 36), 2);
	assert_int_equal(get64(t + 40), 0x100000);
	assert_int_equal(get64(t + 48), MEM - 0x100000);
	assert_int_equal(get32(t + 56), 1);
	assert_int_equal(get16(0x413), 639);                        /* the BDA's base memory, KiB */
	/* the GDT: flat code at 0x10, flat data at 0x18 */
	assert_int_equal(get64(0x5000 + 0x10), 0x00cf9a000000ffffull);
	assert_int_equal(get64(0x5000 + 0x18), 0x00cf92000000ffffull);
	/* how it is entered */
	assert_int_equal(e.eip, 0x100000);
	assert_int_equal(e.esi, 0x7000);
	assert_int_equal(e.cs, 0x10);
	assert_int_equal(e.ds, 0x18);
	assert_int_equal(e.gdt_base, 0x5000);
	assert_int_equal(e.gdt_limit, 31);
	assert_int_equal(e.version, 0x020f);
	assert_int_equal(e.initrd_at, at);
	assert_int_equal(e.needs, PREF + INIT_SIZE + sizeof(initrd));
}

static void test_given_command_line_and_no_initrd(void **state)
{
	(void)state;
	f.cmdline = "console=ttyS0 quiet";
	f.initrd = NULL;
	assert_null(linux_load(mem, MEM, &f, &e));
	assert_string_equal((const char *)mem + 0x8000, "console=ttyS0 quiet");
	assert_int_equal(get32(0x7000 + 0x218), 0);
	assert_int_equal(get32(0x7000 + 0x21c), 0);
	assert_int_equal(e.initrd_at, 0);
	assert_int_equal(e.needs, PREF + INIT_SIZE);
}

/* linux_load's refusal of f as it is now: its message contains want. */
static void refused(uint64_t mem_size, const char *want)
{
	const char *err = linux_load(mem, mem_size, &f, &e);
	assert_non_null(err);
	assert_non_null(strstr(err, want));
}

static void test_refuses_what_is_no_bzimage(void **state)
{
	(void)state;
	f.kernel = NULL;
	refused(MEM, "the boot file \"linux\" is missing or too short");
	f.kernel = image;
	f.kernel_len = 0x300;
	refused(MEM, "missing or too short");
	f.kernel_len = sizeof(image);
	image[0x202] = 'X';
	refused(MEM, "not a bzImage (no HdrS header)");
	image[0x202] = 'H';
	put16(image, 0x206, 0x0209);
	refused(MEM, "older than 2.10");
	put16(image, 0x206, 0x020f);
	image[0x211] = 0;
	refused(MEM, "not loaded high");
	image[0x211] = 1;
	image[0x1f1] = 40;                   /* setup beyond the file's end */
	refused(MEM, "truncated");
}

static void test_refuses_too_little_memory(void **state)
{
	(void)state;
	refused(PREF + INIT_SIZE, "too little memory for this kernel and its initrd");
	f.initrd = NULL;
	refused(PREF + INIT_SIZE - 4096, "too little memory for this kernel");
	assert_null(linux_load(mem, PREF + INIT_SIZE, &f, &e));
}

static void test_refuses_a_command_line_too_long(void **state)
{
	(void)state;
	static char line[LINUX_CMDLINE_MAX + 1];
	memset(line, 'a', 100);
	line[100] = '\0';
	put32(image, 0x238, 99);             /* the kernel takes 99 bytes */
	f.cmdline = line;
	refused(MEM, "command line is too long");
	put32(image, 0x238, 0);              /* no limit given: ours */
	assert_null(linux_load(mem, MEM, &f, &e));
	memset(line, 'a', LINUX_CMDLINE_MAX);
	line[LINUX_CMDLINE_MAX] = '\0';
	refused(MEM, "command line is too long");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_kernel_boot_params_and_entry),
		T(test_given_command_line_and_no_initrd),
		T(test_refuses_what_is_no_bzimage),
		T(test_refuses_too_little_memory),
		T(test_refuses_a_command_line_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
