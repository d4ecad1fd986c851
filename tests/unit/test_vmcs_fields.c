/* Every row of vmcs_fields.def against the SDM's encoding rules (Vol. 3D
 * Appendix B / Vol. 3C 25.11.2), and the lookups generated from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "arch/x86/vmcs_fields.h"

static void test_every_encoding_has_full_access_type(void **state)
{
	(void)state;
	for (int f = 0; f < VMCS_FIELD_COUNT; f++)
		if (vmcs_field_table[f].encoding & 1)
			fail_msg("%s: 0x%x has access type high (bit 0)", vmcs_field_table[f].name,
				 vmcs_field_table[f].encoding);
}

static void test_every_encoding_width_bits_match_the_row(void **state)
{
	(void)state;
	for (int f = 0; f < VMCS_FIELD_COUNT; f++) {
		const struct vmcs_field_info *i = &vmcs_field_table[f];
		unsigned width = (i->encoding >> 13) & 3;
		if (width != (unsigned)i->width)
			fail_msg("%s: 0x%x has width bits %u, row says %u", i->name, i->encoding, width,
				 (unsigned)i->width);
	}
}

static void test_every_encoding_type_bits_match_the_kind(void **state)
{
	(void)state;
	for (int f = 0; f < VMCS_FIELD_COUNT; f++) {
		const struct vmcs_field_info *i = &vmcs_field_table[f];
		unsigned type = (i->encoding >> 10) & 3;
		if (type != (unsigned)i->kind)
			fail_msg("%s: 0x%x has type bits %u, row says %u", i->name, i->encoding, type,
				 (unsigned)i->kind);
	}
}

static void test_every_encoding_has_reserved_bits_clear(void **state)
{
	(void)state;
	for (int f = 0; f < VMCS_FIELD_COUNT; f++) {
		uint32_t e = vmcs_field_table[f].encoding;
		if (e & ((1u << 12) | 0xffff8000u))
			fail_msg("%s: 0x%x sets bit 12 or bits 31:15", vmcs_field_table[f].name, e);
	}
}

static void test_enum_values_match_the_width_enum_names(void **state)
{
	(void)state;
	assert_int_equal(W16, 0);
	assert_int_equal(W64, 1);
	assert_int_equal(W32, 2);
	assert_int_equal(WNAT, 3);
	assert_int_equal(CTRL, 0);
	assert_int_equal(RO, 1);
	assert_int_equal(GUEST, 2);
	assert_int_equal(HOST, 3);
}

static void test_encodings_and_names_are_unique(void **state)
{
	(void)state;
	for (int a = 0; a < VMCS_FIELD_COUNT; a++)
		for (int b = a + 1; b < VMCS_FIELD_COUNT; b++) {
			if (vmcs_field_table[a].encoding == vmcs_field_table[b].encoding)
				fail_msg("%s and %s share encoding 0x%x", vmcs_field_table[a].name,
					 vmcs_field_table[b].name, vmcs_field_table[a].encoding);
			if (strcmp(vmcs_field_table[a].name, vmcs_field_table[b].name) == 0)
				fail_msg("two rows named %s", vmcs_field_table[a].name);
		}
}

static void test_lookup_by_encoding_and_by_name_round_trip(void **state)
{
	(void)state;
	for (int f = 0; f < VMCS_FIELD_COUNT; f++) {
		const char *name = vmcs_field_name((enum vmcs_field)f);
		assert_int_equal(vmcs_field_by_encoding(vmcs_field_encoding((enum vmcs_field)f)), f);
		assert_int_equal(vmcs_field_by_name(name, (unsigned)strlen(name)), f);
	}
}

static void test_known_rows_have_sdm_encodings(void **state)
{
	(void)state;
	assert_int_equal(vmcs_field_encoding(VMCS_guest_rip), 0x681e);
	assert_int_equal(vmcs_field_encoding(VMCS_exit_reason), 0x4402);
	assert_int_equal(vmcs_field_encoding(VMCS_vmcs_link_ptr), 0x2800);
	assert_int_equal(vmcs_field_encoding(VMCS_host_rip), 0x6c16);
}

static void test_unknown_encoding_or_name_is_none(void **state)
{
	(void)state;
	assert_int_equal(vmcs_field_by_encoding(0x681f), VMCS_FIELD_NONE);  /* high half */
	assert_int_equal(vmcs_field_by_encoding(0xffffffff), VMCS_FIELD_NONE);
	assert_int_equal(vmcs_field_by_name("guest_rop", 9), VMCS_FIELD_NONE);
	assert_int_equal(vmcs_field_by_name("guest_ri", 8), VMCS_FIELD_NONE);   /* prefix */
	assert_int_equal(vmcs_field_by_name("guest_ripx", 10), VMCS_FIELD_NONE);
	assert_int_equal(vmcs_field_by_name("", 0), VMCS_FIELD_NONE);
}

static void test_lookup_by_name_uses_only_len_characters(void **state)
{
	(void)state;
	assert_int_equal(vmcs_field_by_name("guest_rip,guest_rsp", 9), VMCS_guest_rip);
}

static void test_mask_follows_the_width(void **state)
{
	(void)state;
	for (int f = 0; f < VMCS_FIELD_COUNT; f++) {
		uint64_t want = vmcs_field_table[f].width == W16 ? 0xffff
			      : vmcs_field_table[f].width == W32 ? 0xffffffff : ~0ull;
		assert_int_equal(vmcs_field_mask((enum vmcs_field)f), want);
	}
	assert_int_equal(vmcs_field_mask(VMCS_guest_cs_sel), 0xffff);
	assert_int_equal(vmcs_field_mask(VMCS_pin_controls), 0xffffffff);
	assert_int_equal(vmcs_field_mask(VMCS_ept_pointer), ~0ull);
	assert_int_equal(vmcs_field_mask(VMCS_guest_rip), ~0ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_encoding_has_full_access_type),
		cmocka_unit_test(test_every_encoding_width_bits_match_the_row),
		cmocka_unit_test(test_every_encoding_type_bits_match_the_kind),
		cmocka_unit_test(test_every_encoding_has_reserved_bits_clear),
		cmocka_unit_test(test_enum_values_match_the_width_enum_names),
		cmocka_unit_test(test_encodings_and_names_are_unique),
		cmocka_unit_test(test_lookup_by_encoding_and_by_name_round_trip),
		cmocka_unit_test(test_known_rows_have_sdm_encodings),
		cmocka_unit_test(test_unknown_encoding_or_name_is_none),
		cmocka_unit_test(test_lookup_by_name_uses_only_len_characters),
		cmocka_unit_test(test_mask_follows_the_width),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
