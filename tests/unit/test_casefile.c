/* Case lines whose expectation depends on the CPU model (ifallowed=): the
 * parse, and the capability test that picks the expectation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "rig/entrycheck/casefile.h"
#include "vmm/shadow/vmcs_shadow.h"
#include "arch/x86/vmx_caps.h"

static enum case_parse parse(const char *line, struct ec_case *c, char *err)
{
	return case_parse_line(line, strlen(line), c, err, 96);
}

static void test_ifallowed_parses_its_outcome(void **state)
{
	(void)state;
	struct ec_case c;
	char err[96];
	assert_int_equal(parse("exit_controls|=0x40000000 expect=vmfail:7 ifallowed=ok", &c, err), CASE_OK);
	assert_true(c.has_if_allowed);
	assert_int_equal(c.if_allowed.kind, OUT_OK);
	assert_int_equal(c.expect.kind, OUT_VMFAIL);
	assert_int_equal(parse("exit_controls|=0x1 expect=ok", &c, err), CASE_OK);
	assert_false(c.has_if_allowed);
}

static void test_ifallowed_rejects_bad_and_repeated(void **state)
{
	(void)state;
	struct ec_case c;
	char err[96];
	assert_int_equal(parse("exit_controls|=0x1 expect=ok ifallowed=maybe", &c, err), CASE_BAD);
	assert_string_equal(err, "bad ifallowed: maybe");
	assert_int_equal(parse("exit_controls|=0x1 expect=ok ifallowed=ok ifallowed=vmfail:7", &c, err), CASE_BAD);
}

/* Bochs 2.7's exit controls (allowed-1 0x436fff, bit 30 reserved) and
 * upstream Bochs's, which allow bit 30. */
static void test_controls_allowed_follows_the_capabilities(void **state)
{
	(void)state;
	static struct vmcs_shadow s;
	struct vmx_caps caps;
	memset(&caps, 0, sizeof(caps));
	caps.pin = (struct vmx_ctl_cap){ 0x16, 0x7f };
	caps.proc = (struct vmx_ctl_cap){ 0x04006172, 0xfff9fffe };
	caps.proc2 = (struct vmx_ctl_cap){ 0, 0x02177fff };
	caps.exit = (struct vmx_ctl_cap){ 0x00036dfb, 0x00436fff };
	caps.entry = (struct vmx_ctl_cap){ 0x000011fb, 0x0000f3ff };
	shadow_init(&s);
	shadow_fill(&s, VMCS_pin_controls, 0x16);
	shadow_fill(&s, VMCS_proc_controls, 0x850061f2);
	shadow_fill(&s, VMCS_proc_controls2, 0x82);
	shadow_fill(&s, VMCS_exit_controls, 0x40436ffb);
	shadow_fill(&s, VMCS_entry_controls, 0x11fb);
	assert_false(case_controls_allowed(&caps, &s));
	caps.exit.may_be_1 |= 0x40000000;
	assert_true(case_controls_allowed(&caps, &s));
	shadow_fill(&s, VMCS_exit_controls, 0x436ffa);    /* a must-be-1 bit cleared */
	assert_false(case_controls_allowed(&caps, &s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ifallowed_parses_its_outcome),
		cmocka_unit_test(test_ifallowed_rejects_bad_and_repeated),
		cmocka_unit_test(test_controls_allowed_follows_the_capabilities),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
