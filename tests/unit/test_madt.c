/* The ACPI MADT parser (arch/x86/madt.c) on byte fixtures: the enabled
 * local APIC entries in table order, disabled ones counted, other entry
 * types skipped, bad tables refused with words; and the walk from an RSDP
 * through the XSDT to the MADT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "arch/x86/madt.h"

/* A MADT as a QEMU or Bochs firmware writes it: header, local APIC
 * address 0xfee00000, flags PCAT_COMPAT, then APIC IDs 0, 1, a disabled
 * 5, an I/O APIC, an interrupt source override and APIC ID 3. */
static const uint8_t madt_fixture[] = {
	'A', 'P', 'I', 'C', 98, 0, 0, 0, 4, 0 /* checksum */, 'B', 'O', 'C', 'H', 'S', ' ',
	'B', 'X', 'P', 'C', ' ', ' ', ' ', ' ', 1, 0, 0, 0, 'B', 'X', 'P', 'C', 1, 0, 0, 0,
	0x00, 0x00, 0xe0, 0xfe, 1, 0, 0, 0,
	0, 8, 0, 0, 1, 0, 0, 0,                       /* UID 0, APIC 0, enabled */
	0, 8, 1, 1, 1, 0, 0, 0,                       /* UID 1, APIC 1, enabled */
	0, 8, 2, 5, 2, 0, 0, 0,                       /* UID 2, APIC 5, online capable only */
	1, 12, 0, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0, /* I/O APIC */
	2, 10, 0, 0, 2, 0, 0, 0, 0, 0,                /* interrupt source override */
	0, 8, 3, 3, 1, 0, 0, 0,                       /* UID 3, APIC 3, enabled */
};

static uint8_t buf[8192];

static void fix_checksum(uint8_t *t, size_t len, size_t at)
{
	uint8_t s = 0;
	t[at] = 0;
	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + t[i]);
	t[at] = (uint8_t)-s;
}

static size_t load_fixture(void)
{
	memcpy(buf, madt_fixture, sizeof(madt_fixture));
	fix_checksum(buf, sizeof(madt_fixture), 9);
	return sizeof(madt_fixture);
}

static void test_enabled_cpus_in_table_order_disabled_counted(void **state)
{
	(void)state;
	struct madt_cpus m;
	size_t n = load_fixture();
	assert_null(madt_parse(buf, n, &m));
	assert_int_equal(m.enabled, 3);
	assert_int_equal(m.kept, 3);
	assert_int_equal(m.disabled, 1);
	assert_int_equal(m.apic_id[0], 0);
	assert_int_equal(m.apic_id[1], 1);
	assert_int_equal(m.apic_id[2], 3);
	assert_int_equal(m.lapic_base, 0xfee00000u);
}

static void test_bad_tables_are_refused_with_words(void **state)
{
	(void)state;
	struct madt_cpus m;
	size_t n = load_fixture();
	buf[9]++;
	assert_string_equal(madt_parse(buf, n, &m), "MADT checksum is wrong");
	load_fixture();
	buf[0] = 'X';
	assert_string_equal(madt_parse(buf, n, &m), "no MADT (signature APIC)");
	load_fixture();
	assert_string_equal(madt_parse(buf, n - 1, &m), "MADT length out of range");
	load_fixture();
	buf[44 + 1] = 0;                              /* an entry of length 0 */
	fix_checksum(buf, n, 9);
	assert_string_equal(madt_parse(buf, n, &m), "MADT entry runs past the table");
	load_fixture();
	buf[n - 8 + 1] = 9;                           /* the last entry claims 9 bytes */
	fix_checksum(buf, n, 9);
	assert_string_equal(madt_parse(buf, n, &m), "MADT entry runs past the table");
}

static void test_more_cpus_than_kept_are_counted(void **state)
{
	(void)state;
	struct madt_cpus m;
	size_t n = 44;
	memcpy(buf, madt_fixture, 44);
	for (unsigned i = 0; i < MADT_CPUS_MAX + 6; i++, n += 8) {
		const uint8_t e[8] = { 0, 8, (uint8_t)i, (uint8_t)i, 1, 0, 0, 0 };
		memcpy(buf + n, e, 8);
	}
	buf[4] = (uint8_t)n;
	buf[5] = (uint8_t)(n >> 8);
	fix_checksum(buf, n, 9);
	assert_null(madt_parse(buf, n, &m));
	assert_int_equal(m.enabled, MADT_CPUS_MAX + 6);
	assert_int_equal(m.kept, MADT_CPUS_MAX);
	assert_int_equal(m.apic_id[MADT_CPUS_MAX - 1], MADT_CPUS_MAX - 1);
}

/* An RSDP (revision 2) whose XSDT lists a FACP-named table, then the
 * MADT; every pointer is a host address. */
static uint8_t rsdp[36], xsdt[36 + 16], facp[36];

static void build_acpi(void)
{
	size_t n = load_fixture();
	fix_checksum(buf, n, 9);
	memset(facp, 0, sizeof(facp));
	memcpy(facp, "FACP", 4);
	memset(xsdt, 0, sizeof(xsdt));
	memcpy(xsdt, "XSDT", 4);
	xsdt[4] = sizeof(xsdt);
	uint64_t a = (uint64_t)(uintptr_t)facp, b = (uint64_t)(uintptr_t)buf;
	memcpy(xsdt + 36, &a, 8);
	memcpy(xsdt + 44, &b, 8);
	fix_checksum(xsdt, sizeof(xsdt), 9);
	memset(rsdp, 0, sizeof(rsdp));
	memcpy(rsdp, "RSD PTR ", 8);
	rsdp[15] = 2;
	rsdp[20] = sizeof(rsdp);
	uint64_t x = (uint64_t)(uintptr_t)xsdt;
	memcpy(rsdp + 24, &x, 8);
	fix_checksum(rsdp, 20, 8);
	fix_checksum(rsdp, 36, 32);
}

static void test_rsdp_to_xsdt_to_madt(void **state)
{
	(void)state;
	struct madt_cpus m;
	build_acpi();
	assert_null(acpi_madt_cpus((uint64_t)(uintptr_t)rsdp, &m));
	assert_int_equal(m.enabled, 3);
	assert_int_equal(m.apic_id[2], 3);
}

static void test_missing_or_broken_rsdp_or_madt_says_so(void **state)
{
	(void)state;
	struct madt_cpus m;
	assert_string_equal(acpi_madt_cpus(0, &m), "the firmware gave no ACPI RSDP");
	build_acpi();
	rsdp[0] = 'r';
	assert_string_equal(acpi_madt_cpus((uint64_t)(uintptr_t)rsdp, &m),
			    "the ACPI RSDP's signature or checksum is wrong");
	build_acpi();
	memcpy(buf, "APIX", 4);                       /* no table named APIC */
	assert_string_equal(acpi_madt_cpus((uint64_t)(uintptr_t)rsdp, &m), "no MADT in the ACPI tables");
	assert_int_equal(m.enabled, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enabled_cpus_in_table_order_disabled_counted),
		cmocka_unit_test(test_bad_tables_are_refused_with_words),
		cmocka_unit_test(test_more_cpus_than_kept_are_counted),
		cmocka_unit_test(test_rsdp_to_xsdt_to_madt),
		cmocka_unit_test(test_missing_or_broken_rsdp_or_madt_says_so),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
