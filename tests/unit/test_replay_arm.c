/* fastpath_replay_arm (vmm/fastpath/): the replay of a CPUID round trip is
 * armed only in the steady state it relies on, and each precondition on
 * its own keeps it off. test_sched_fast shows that replays leave the same
 * state as the slow path where they happen; this shows where they must not
 * happen, including states that today's guests never reach (a check that
 * would fetch a guest field or the entry controls). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "tests/unit/baseline.h"
#include "vmm/fastpath/again.h"

static struct vmx_caps caps;
static struct pmr_cache pmr;
static struct notify n;
static struct fastpath fp;
static struct vm vm;

/* The memo of the validation for the shadow's dirty set, as the entry
 * that just happened left it; the verdict (unknown fields read as 0 here,
 * so a check on another dirty field may fail: the memo is built anyway). */
static enum verdict_kind validate_now(void)
{
	struct check_ctx c = { .s = &vm.shadow, .caps = &caps, .no_audit = true, .memo = &vm.memo };
	struct verdict v;
	(void)validate_dirty(&c, &v);
	return v.kind;
}

/* What a fast CPUID round trip leaves: the shadow knows the controls and
 * host state, of the guest and exit fields only RIP (written, dirty), the
 * exit reason and the length; the memo is for {guest_rip}; VM 1 holds a
 * clean slot. */
static void steady(const char *policy)
{
	struct pmr_config pc;
	struct pmr_outcome o;
	baseline_caps(&caps);
	pmr_config_default(&pc);
	assert_true(pmr_parse_policy(policy, (unsigned)strlen(policy), &pc));
	assert_true(pmr_init(&pmr, &pc));
	notify_init(&n, &caps, &pmr, NULL, NULL);
	fastpath_attach_sched(&fp, &n, NULL, true);
	memset(&vm, 0, sizeof(vm));
	vm.id = 1;
	baseline_shadow(&vm.shadow);
	shadow_on_exit(&vm.shadow);
	shadow_on_entry_ok(&vm.shadow);
	shadow_fill(&vm.shadow, VMCS_exit_reason, EXIT_cpuid);
	shadow_fill(&vm.shadow, VMCS_exit_instr_len, 2);
	shadow_write(&vm.shadow, VMCS_guest_rip, 0x1002);
	assert_int_equal(validate_now(), VERDICT_OK);
	for (int i = 0; i < 3; i++)             /* history needs 2 in its window */
		assert_true(pmr_on_entry(&pmr, vm.id, 1000, &o));
	assert_true(pmr_slot_of(&pmr, vm.id) >= 0);
}

static void assert_not_armed(void)
{
	assert_false(fastpath_replay_arm(&fp, &vm, 1000));
	assert_null(fp.replay);
}

static void test_steady_state_arms_under_every_policy(void **state)
{
	static const char *const policy[] = { "first", "threshold:2", "history:4" };
	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		steady(policy[i]);
		assert_true(fastpath_replay_arm(&fp, &vm, 1000));
		assert_ptr_equal(fp.replay, &vm);
		fastpath_replay_end(&fp);
		assert_null(fp.replay);
	}
}

static void test_not_with_fastpath_noreplay(void **state)
{
	(void)state;
	steady("first");
	fp.replay_on = false;
	assert_not_armed();
}

static void test_not_with_another_field_dirty(void **state)
{
	(void)state;
	steady("first");
	shadow_write(&vm.shadow, VMCS_guest_rflags, 0x2);
	(void)validate_now();
	assert_not_armed();
}

static void test_not_when_the_memo_is_for_another_dirty_set(void **state)
{
	(void)state;
	steady("first");
	shadow_write(&vm.shadow, VMCS_guest_rflags, 0x2);
	(void)validate_now();
	vm.shadow.dirty[VMCS_guest_rflags / 64] &= ~(1ull << (VMCS_guest_rflags % 64));
	assert_not_armed();
}

static void test_not_when_the_shadow_knows_a_field_an_exit_forgets(void **state)
{
	(void)state;
	steady("first");
	shadow_fill(&vm.shadow, VMCS_guest_cs_ar, 0xc09b);   /* as a check's fetch would */
	assert_not_armed();
	steady("first");
	shadow_fill(&vm.shadow, VMCS_entry_controls, 0x11ff);
	assert_not_armed();
}

/* The row guest.rip.high reads neither the "IA-32e mode guest" control
 * nor CS for a RIP below 4 GiB, so the steady state is the same for a
 * 64-bit guest; the replay itself takes only such RIPs (vmm/sched.c). */
static void test_arms_in_any_mode_below_4_gib(void **state)
{
	(void)state;
	steady("first");
	assert_false(shadow_known(&vm.shadow, VMCS_entry_controls));
	assert_false(shadow_known(&vm.shadow, VMCS_guest_cs_ar));
	assert_true(fastpath_replay_arm(&fp, &vm, 1000));
	fastpath_replay_end(&fp);
}

static void test_not_without_a_clean_cache_slot(void **state)
{
	(void)state;
	steady("first");
	assert_true(pmr_on_vmwrite(&pmr, vm.id, VMCS_guest_rflags));
	assert_not_armed();
	steady("first");
	struct pmr_outcome o;
	assert_true(pmr_on_vmclear(&pmr, vm.id, &o));
	assert_not_armed();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steady_state_arms_under_every_policy),
		cmocka_unit_test(test_not_with_fastpath_noreplay),
		cmocka_unit_test(test_not_with_another_field_dirty),
		cmocka_unit_test(test_not_when_the_memo_is_for_another_dirty_set),
		cmocka_unit_test(test_not_when_the_shadow_knows_a_field_an_exit_forgets),
		cmocka_unit_test(test_arms_in_any_mode_below_4_gib),
		cmocka_unit_test(test_not_without_a_clean_cache_slot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
