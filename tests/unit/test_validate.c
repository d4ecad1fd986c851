/* Full and incremental validation: what runs, what it finds, and that
 * running only the dirty checks finds what a full run finds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "tests/unit/baseline.h"
#include "vmm/shadow/entry_checks.h"
#include "vmm/shadow/validate.h"
#include "vmm/shadow/validate_dirty.h"

static unsigned count_readers(enum vmcs_field f)
{
	unsigned n = 0;
	for (unsigned i = 0; i < entry_check_count(); i++)
		n += entry_check_reads(entry_check_at(i), f);
	return n;
}

static void test_full_on_baseline_is_ok_and_runs_every_check(void **state)
{
	(void)state;
	struct vmcs_shadow s;
	struct vmx_caps caps;
	struct check_ctx c;
	struct verdict v;
	baseline_ctx(&c, &s, &caps);
	assert_int_equal(validate_full(&c, &v), entry_check_count());
	assert_int_equal(v.kind, VERDICT_OK);
	assert_null(v.check);
	assert_int_equal(v.field, VMCS_FIELD_NONE);
	assert_false(c.undeclared_read);
	assert_true(entry_check_count() >= 100);
}

static void test_dirty_after_entry_ok_runs_no_checks(void **state)
{
	(void)state;
	struct vmcs_shadow s;
	struct vmx_caps caps;
	struct check_ctx c;
	struct verdict v;
	baseline_ctx(&c, &s, &caps);
	shadow_on_entry_ok(&s);
	assert_int_equal(validate_dirty(&c, &v), 0);
	assert_int_equal(v.kind, VERDICT_OK);
}

static void test_vmresume_runs_only_checks_reading_guest_rip(void **state)
{
	(void)state;
	struct vmcs_shadow s;
	struct vmx_caps caps;
	struct check_ctx c;
	struct verdict v;
	baseline_ctx(&c, &s, &caps);
	shadow_on_entry_ok(&s);
	shadow_write(&s, VMCS_guest_rip, 0x1003);
	unsigned want = count_readers(VMCS_guest_rip);
	assert_true(want >= 1);
	assert_int_equal(validate_dirty(&c, &v), want);
	assert_int_equal(v.kind, VERDICT_OK);
}

static void test_dirty_stops_at_first_failure(void **state)
{
	(void)state;
	struct vmcs_shadow s;
	struct vmx_caps caps;
	struct check_ctx c;
	struct verdict v;
	baseline_ctx(&c, &s, &caps);
	shadow_on_entry_ok(&s);
	shadow_write(&s, VMCS_guest_rip, 1ull << 32);
	assert_int_equal(validate_dirty(&c, &v), 1);
	assert_int_equal(v.kind, VERDICT_ENTRYFAIL);
	assert_int_equal(v.code, 33);
	assert_string_equal(v.check->id, "guest.rip.high");
	assert_int_equal(v.field, VMCS_guest_rip);
	assert_int_equal(v.value, 1ull << 32);
}

/* One dirty set's validation: the same set again builds nothing. */
static unsigned dirty_set(struct check_ctx *c, struct vmcs_shadow *s, enum vmcs_field a, enum vmcs_field b)
{
	struct verdict v;
	shadow_on_entry_ok(s);
	shadow_write(s, a, shadow_get(s, a));
	if (b != VMCS_FIELD_NONE)
		shadow_write(s, b, shadow_get(s, b));
	unsigned ran = validate_dirty(c, &v);
	assert_int_equal(v.kind, VERDICT_OK);
	return ran;
}

/* Each VM has its own memos, a few dirty sets each: alternating sets and
 * switching VMs rebuild nothing after each set's first time, and the
 * checks run are the same as with a fresh list. */
static void test_memos_per_vm_and_dirty_set(void **state)
{
	(void)state;
	struct vmcs_shadow s[2];
	struct vmx_caps caps;
	struct check_ctx c[2];
	struct validate_memos m[2];
	memset(m, 0, sizeof(m));
	for (int k = 0; k < 2; k++) {
		baseline_ctx(&c[k], &s[k], &caps);
		c[k].memo = &m[k];
	}
	unsigned rip = count_readers(VMCS_guest_rip);
	for (int round = 0; round < 3; round++)
		for (int k = 0; k < 2; k++) {
			assert_int_equal(dirty_set(&c[k], &s[k], VMCS_guest_rip, VMCS_FIELD_NONE), rip);
			assert_true(dirty_set(&c[k], &s[k], VMCS_guest_rip, VMCS_preemption_timer) >= rip);
			assert_true(dirty_set(&c[k], &s[k], VMCS_guest_rip, VMCS_guest_rflags) > rip);
		}
	assert_int_equal(m[0].rebuilds, 3);
	assert_int_equal(m[1].rebuilds, 3);
	/* A fifth set replaces the oldest: that one is built again later. */
	dirty_set(&c[0], &s[0], VMCS_guest_cr0, VMCS_FIELD_NONE);
	dirty_set(&c[0], &s[0], VMCS_guest_cr4, VMCS_FIELD_NONE);
	assert_int_equal(m[0].rebuilds, 5);
	assert_int_equal(dirty_set(&c[0], &s[0], VMCS_guest_rip, VMCS_FIELD_NONE), rip);
	assert_int_equal(m[0].rebuilds, 6);
}

static void test_full_reports_controls_before_host_before_guest(void **state)
{
	(void)state;
	struct vmcs_shadow s;
	struct vmx_caps caps;
	struct check_ctx c;
	struct verdict v;
	baseline_ctx(&c, &s, &caps);
	shadow_write(&s, VMCS_guest_rflags, 0);
	shadow_write(&s, VMCS_host_cr0, 0);
	shadow_write(&s, VMCS_pin_controls, 0);
	validate_full(&c, &v);
	assert_int_equal(v.code, 7);
	shadow_write(&s, VMCS_pin_controls, 0x5f);
	validate_full(&c, &v);
	assert_int_equal(v.code, 8);
	shadow_write(&s, VMCS_host_cr0, 0x80050033);
	validate_full(&c, &v);
	assert_int_equal(v.code, 33);
	assert_string_equal(v.check->id, "guest.rflags.reserved");
}

struct fake_cpu {
	struct vmcs_shadow real;
	unsigned reads;
};

static uint64_t fake_vmread(void *opaque, enum vmcs_field f)
{
	struct fake_cpu *cpu = opaque;
	cpu->reads++;
	return shadow_get(&cpu->real, f);
}

/* After an exit the guest fields are unknown: validation VMREADs each one
 * once, fills the shadow, and marks nothing dirty. */
static void test_unknown_fields_are_fetched_once(void **state)
{
	(void)state;
	static struct fake_cpu cpu;
	struct vmcs_shadow s;
	struct vmx_caps caps;
	struct check_ctx c;
	struct verdict v;
	baseline_ctx(&c, &s, &caps);
	baseline_shadow(&cpu.real);
	cpu.reads = 0;
	shadow_on_entry_ok(&s);
	shadow_on_exit(&s);
	c.fetch = fake_vmread;
	c.opaque = &cpu;
	assert_int_equal(validate_full(&c, &v), entry_check_count());
	assert_int_equal(v.kind, VERDICT_OK);
	unsigned first = cpu.reads;
	assert_true(first > 0);
	assert_true(shadow_known(&s, VMCS_guest_cs_ar));
	assert_int_equal(shadow_dirty_count(&s), 0);
	validate_full(&c, &v);
	assert_int_equal(cpu.reads, first);
}

/* The constant bitmaps shadow_on_exit uses match the .def: exactly the
 * guest-state and read-only fields become unknown at a VM exit, and the
 * entry controls, where the CPU stores IA32_EFER.LMA. */
static void test_exit_forgets_guest_ro_fields_and_entry_controls(void **state)
{
	(void)state;
	struct vmcs_shadow s;
	shadow_init(&s);
	for (int f = 0; f < VMCS_FIELD_COUNT; f++)
		shadow_write(&s, (enum vmcs_field)f, 1);
	shadow_on_exit(&s);
	for (int f = 0; f < VMCS_FIELD_COUNT; f++) {
		enum vmcs_kind k = vmcs_field_table[f].kind;
		bool cpu_owned = k == GUEST || k == RO || f == VMCS_entry_controls;
		if (shadow_known(&s, (enum vmcs_field)f) == cpu_owned)
			fail_msg("%s: known=%d after a VM exit", vmcs_field_table[f].name, !cpu_owned);
	}
}

/* A VM exit clears the valid bit of the VM-entry interruption-information
 * field (SDM Vol. 3C 28.2); a VM-entry failure leaves it (27.8): only
 * shadow_on_exit_proper, which notify calls for a real exit, clears it. */
static void test_only_a_real_exit_clears_the_injection_valid_bit(void **state)
{
	(void)state;
	const uint64_t inject_ud = (1u << 31) | (3u << 8) | 6;
	struct vmcs_shadow s;
	shadow_init(&s);
	shadow_write(&s, VMCS_entry_intr_info, inject_ud);
	shadow_on_exit(&s);
	assert_int_equal(shadow_get(&s, VMCS_entry_intr_info), inject_ud);
	assert_true(shadow_known(&s, VMCS_entry_intr_info));
	shadow_on_exit_proper(&s);
	assert_int_equal(shadow_get(&s, VMCS_entry_intr_info), inject_ud & ~(1ull << 31));
}

static void test_without_fetch_unknown_reads_as_zero(void **state)
{
	(void)state;
	struct vmcs_shadow s;
	struct vmx_caps caps;
	struct check_ctx c;
	struct verdict v;
	baseline_ctx(&c, &s, &caps);
	shadow_on_exit(&s);
	validate_full(&c, &v);
	/* the entry controls read as 0: their must-be-1 bits missing */
	assert_int_equal(v.kind, VERDICT_VMFAIL);
	assert_string_equal(v.check->id, "ctl.entry.reserved");
	assert_false(shadow_known(&s, VMCS_entry_controls));
}

static void test_undeclared_read_is_flagged(void **state)
{
	(void)state;
	struct vmcs_shadow s;
	struct vmx_caps caps;
	struct check_ctx c;
	baseline_ctx(&c, &s, &caps);
	c.current = entry_check_by_id("guest.rip.high");
	check_field(&c, VMCS_guest_rip);
	assert_false(c.undeclared_read);
	check_field(&c, VMCS_host_rip);
	assert_true(c.undeclared_read);
}

static void test_verdict_format(void **state)
{
	(void)state;
	char buf[32];
	struct verdict v = { .kind = VERDICT_OK };
	assert_int_equal(verdict_format(&v, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "ok");
	v = (struct verdict){ .kind = VERDICT_VMFAIL, .code = 7 };
	verdict_format(&v, buf, sizeof(buf));
	assert_string_equal(buf, "vmfail:7");
	v = (struct verdict){ .kind = VERDICT_ENTRYFAIL, .code = 33 };
	assert_int_equal(verdict_format(&v, buf, sizeof(buf)), 12);
	assert_string_equal(buf, "entryfail:33");
	assert_int_equal(verdict_format(&v, buf, 6), 12);
	assert_string_equal(buf, "entry");
}

/* xorshift64*: fixed seed, so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t interesting(const struct vmcs_shadow *base, enum vmcs_field f)
{
	static const uint64_t picks[] = {
		0, ~0ull, 1, 2, 3, 4, 7, 8, 0x10, 0x80, 0xffff, 0x0000800000000000ull,
		0xffff7fffffffffffull, 1ull << 32, 1ull << 40, 0x1000, 0x10000,
	};
	switch (rng() % 3) {
	case 0:
		return shadow_get(base, f) ^ (1ull << (rng() % 64));
	case 1:
		return picks[rng() % (sizeof(picks) / sizeof(picks[0]))];
	default:
		return shadow_get(base, f) ^ (1ull << (rng() % 20));
	}
}

/* Property: from the (valid, clean) baseline, any few writes leave
 * validate_dirty with exactly validate_full's verdict. */
static void test_dirty_verdict_equals_full_verdict(void **state)
{
	(void)state;
	struct vmcs_shadow base, s;
	struct vmx_caps caps;
	struct check_ctx c;
	baseline_ctx(&c, &base, &caps);
	unsigned failures = 0;
	for (unsigned seq = 0; seq < 4000; seq++) {
		memcpy(&s, &base, sizeof(s));
		shadow_on_entry_ok(&s);
		c.s = &s;
		unsigned n = 1 + rng() % 4;
		for (unsigned w = 0; w < n; w++) {
			enum vmcs_field f;
			do
				f = (enum vmcs_field)(rng() % VMCS_FIELD_COUNT);
			while (vmcs_field_table[f].kind == RO);
			shadow_write(&s, f, interesting(&base, f));
		}
		struct verdict vd, vf;
		unsigned rd = validate_dirty(&c, &vd);
		unsigned rf = validate_full(&c, &vf);
		if (vd.kind != vf.kind || vd.code != vf.code || vd.qual != vf.qual ||
		    vd.check != vf.check)
			fail_msg("seq %u: dirty %s vs full %s", seq,
				 vd.check ? vd.check->id : "ok", vf.check ? vf.check->id : "ok");
		assert_true(rd <= rf);
		assert_false(c.undeclared_read);
		failures += vf.kind != VERDICT_OK;
	}
	/* the generator must actually exercise failures */
	assert_true(failures > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_on_baseline_is_ok_and_runs_every_check),
		cmocka_unit_test(test_dirty_after_entry_ok_runs_no_checks),
		cmocka_unit_test(test_vmresume_runs_only_checks_reading_guest_rip),
		cmocka_unit_test(test_dirty_stops_at_first_failure),
		cmocka_unit_test(test_full_reports_controls_before_host_before_guest),
		cmocka_unit_test(test_unknown_fields_are_fetched_once),
		cmocka_unit_test(test_exit_forgets_guest_ro_fields_and_entry_controls),
		cmocka_unit_test(test_only_a_real_exit_clears_the_injection_valid_bit),
		cmocka_unit_test(test_without_fetch_unknown_reads_as_zero),
		cmocka_unit_test(test_undeclared_read_is_flagged),
		cmocka_unit_test(test_verdict_format),
		cmocka_unit_test(test_dirty_verdict_equals_full_verdict),
		cmocka_unit_test(test_memos_per_vm_and_dirty_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
