/* vmx_caps_differ (arch/x86/vmx_caps_diff.c): two processors' VMX
 * capabilities agree, or the first MSR that differs is named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "arch/x86/vmx_caps.h"

static struct vmx_caps a, b;

static void same(void)
{
	memset(&a, 0, sizeof(a));
	memcpy(a.vendor, "GenuineIntel", 13);
	a.vmx = true;
	a.feature_control = 0x5;
	a.basic = 0xda0400000001ull;
	a.proc2.may_be_1 = 0x1234;
	a.cr4_fixed0 = 0x2000;
	a.vmfunc = 1;
	b = a;
}

static void test_equal_capabilities_agree(void **state)
{
	(void)state;
	same();
	assert_null(vmx_caps_differ(&a, &b));
	b.maxphyaddr = 46;                            /* a CPUID fact, not an MSR */
	assert_null(vmx_caps_differ(&a, &b));
}

static void test_each_msr_is_named(void **state)
{
	(void)state;
	same();
	b.feature_control = 0x1;
	assert_string_equal(vmx_caps_differ(&a, &b), "IA32_FEATURE_CONTROL");
	same();
	b.proc2.may_be_1 &= ~0x4u;
	assert_string_equal(vmx_caps_differ(&a, &b), "IA32_VMX_PROCBASED_CTLS2");
	same();
	b.entry.must_be_1 = 0x11ff;
	assert_string_equal(vmx_caps_differ(&a, &b), "IA32_VMX_(TRUE_)ENTRY_CTLS");
	same();
	b.cr4_fixed1 = 0x1;
	assert_string_equal(vmx_caps_differ(&a, &b), "IA32_VMX_CR4_FIXED1");
	same();
	b.vmfunc = 0;
	assert_string_equal(vmx_caps_differ(&a, &b), "IA32_VMX_VMFUNC");
	same();
	b.vmx = false;
	assert_string_equal(vmx_caps_differ(&a, &b), "CPUID.1:ECX.VMX");
}

static void test_the_first_difference_in_msr_order_is_named(void **state)
{
	(void)state;
	same();
	b.vmfunc = 0;
	b.basic ^= 1;
	assert_string_equal(vmx_caps_differ(&a, &b), "IA32_VMX_BASIC");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_capabilities_agree),
		cmocka_unit_test(test_each_msr_is_named),
		cmocka_unit_test(test_the_first_difference_in_msr_order_is_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
