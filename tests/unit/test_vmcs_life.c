/* The VMCS life-cycle predictions (vmm/shadow/vmcs_life.c) against the
 * SDM's instruction pseudocode (Vol. 3C 31.3) and error numbers (31.4):
 * each rule on its own, and the order in which the rules apply. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "vmm/shadow/vmcs_life.h"

#define VMXON 0x10000ull
#define REV   0x2bu

static const struct life_state current = { VMXON, 40, REV, true };
static const struct life_state none = { VMXON, 40, REV, false };

/* kind OK, or VMfail with code (0: VMfailInvalid). */
static void want(const struct verdict *v, bool fail, uint32_t code)
{
	assert_int_equal(v->kind, fail ? VERDICT_VMFAIL : VERDICT_OK);
	assert_int_equal(v->code, fail ? code : 0);
}

static void test_vmclear(void **state)
{
	struct verdict v;
	(void)state;
	life_vmclear(&current, 0x20000, &v);
	want(&v, false, 0);
	life_vmclear(&current, 0x20008, &v);               /* not 4 KiB-aligned */
	want(&v, true, LIFE_VMCLEAR_BAD_ADDR);
	life_vmclear(&current, 1ull << 40, &v);            /* beyond MAXPHYADDR */
	want(&v, true, LIFE_VMCLEAR_BAD_ADDR);
	life_vmclear(&current, VMXON, &v);
	want(&v, true, LIFE_VMCLEAR_VMXON);
	life_vmclear(&none, VMXON, &v);                    /* no current VMCS: VMfailInvalid */
	want(&v, true, 0);
}

static void test_vmptrld(void **state)
{
	struct verdict v;
	(void)state;
	life_vmptrld(&current, 0x20000, REV, &v);
	want(&v, false, 0);
	life_vmptrld(&current, 0x20800, REV, &v);
	want(&v, true, LIFE_VMPTRLD_BAD_ADDR);
	life_vmptrld(&current, VMXON, REV, &v);
	want(&v, true, LIFE_VMPTRLD_VMXON);
	life_vmptrld(&current, 0x20000, REV ^ 1, &v);
	want(&v, true, LIFE_VMPTRLD_BAD_REVISION);
	life_vmptrld(&current, 0x20000, REV | (1u << 31), &v);   /* shadow-VMCS indicator */
	want(&v, true, LIFE_VMPTRLD_BAD_REVISION);
	life_vmptrld(&current, 1ull << 41, REV ^ 1, &v);  /* the address comes first */
	want(&v, true, LIFE_VMPTRLD_BAD_ADDR);
}

/* VMLAUNCH/VMRESUME: no current VMCS, then MOV-SS blocking (26), then
 * the launch state (4, 5). */
static void test_enter_order(void **state)
{
	struct verdict v;
	(void)state;
	for (int launched = 0; launched <= 1; launched++)
		for (int vmlaunch = 0; vmlaunch <= 1; vmlaunch++) {
			life_enter(&current, launched, vmlaunch, false, &v);
			if (vmlaunch && launched)
				want(&v, true, LIFE_VMLAUNCH_NOT_CLEAR);
			else if (!vmlaunch && !launched)
				want(&v, true, LIFE_VMRESUME_NOT_LAUNCHED);
			else
				want(&v, false, 0);
			life_enter(&current, launched, vmlaunch, true, &v);
			want(&v, true, LIFE_ENTRY_MOVSS_BLOCKING);
			life_enter(&none, launched, vmlaunch, true, &v);
			want(&v, true, 0);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmclear),
		cmocka_unit_test(test_vmptrld),
		cmocka_unit_test(test_enter_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
