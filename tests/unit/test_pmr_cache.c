/* Host unit tests of the PMR cache model (vmm/shadow/pmr_cache.c): scripted
 * entry sequences with exactly known hits, misses, allocs, evictions and
 * bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "vmm/shadow/pmr_cache.h"

#define VMCS_BYTES 1000u

static struct pmr_cache cache;

static void setup(enum pmr_policy policy, unsigned threshold, unsigned slots,
                  unsigned window)
{
	struct pmr_config cfg = {
		.policy = policy, .threshold = threshold,
		.slots = slots, .window = window,
	};
	assert_true(pmr_init(&cache, &cfg));
}

static struct pmr_outcome enter(unsigned vm)
{
	struct pmr_outcome out;

	assert_true(pmr_on_entry(&cache, vm, VMCS_BYTES, &out));
	return out;
}

/* Enter each VM of a 0-terminated list in turn. */
static void run(const unsigned *vms)
{
	for (; *vms != 0; vms++)
		enter(*vms);
}

static void assert_counts(const struct pmr_counters *k, uint64_t hits,
                          uint64_t misses, uint64_t allocs, uint64_t evicts)
{
	assert_int_equal(k->hits, hits);
	assert_int_equal(k->misses, misses);
	assert_int_equal(k->allocs, allocs);
	assert_int_equal(k->evicts, evicts);
}

static void test_first_policy_allocates_at_vmlaunch_and_hits_after(void **state)
{
	struct pmr_outcome o;
	(void)state;
	setup(PMR_POLICY_FIRST, 1, 2, 16);

	o = enter(1);
	assert_false(o.hit);
	assert_int_equal(o.load_bytes, VMCS_BYTES);
	assert_int_equal(o.alloc_slot, 0);
	assert_int_equal(o.slot, 0);
	assert_int_equal(o.evicted_vm, 0);
	assert_int_equal(o.evicted_slot, -1);
	for (int i = 0; i < 2; i++) {
		o = enter(1);
		assert_true(o.hit);
		assert_int_equal(o.load_bytes, 0);
		assert_int_equal(o.alloc_slot, -1);
		assert_int_equal(o.slot, 0);
	}
	assert_counts(pmr_vm_counters(&cache, 1), 2, 1, 1, 0);
	assert_int_equal(pmr_vm_counters(&cache, 1)->miss_bytes, VMCS_BYTES);
}

static void test_lru_evicts_least_recently_entered_with_3_vms_2_slots(void **state)
{
	struct pmr_outcome o;
	(void)state;
	setup(PMR_POLICY_FIRST, 1, 2, 16);

	assert_int_equal(enter(1).alloc_slot, 0);
	assert_int_equal(enter(2).alloc_slot, 1);
	assert_true(enter(1).hit);              /* vm2 is now least recent */
	o = enter(3);
	assert_false(o.hit);
	assert_int_equal(o.evicted_vm, 2);
	assert_int_equal(o.evicted_slot, 1);
	assert_int_equal(o.alloc_slot, 1);
	o = enter(2);                           /* vm1 (tick 3) < vm3 (tick 4) */
	assert_int_equal(o.evicted_vm, 1);
	assert_int_equal(o.evicted_slot, 0);
	assert_int_equal(o.alloc_slot, 0);
	o = enter(1);
	assert_int_equal(o.evicted_vm, 3);
	assert_int_equal(o.evicted_slot, 1);
	assert_int_equal(o.alloc_slot, 1);

	assert_counts(pmr_total(&cache), 1, 5, 5, 3);
	for (unsigned vm = 1; vm <= 3; vm++)
		assert_int_equal(pmr_vm_counters(&cache, vm)->evicts, 1);
	assert_int_equal(pmr_slot_of(&cache, 1), 1);
	assert_int_equal(pmr_slot_of(&cache, 2), 0);
	assert_int_equal(pmr_slot_of(&cache, 3), -1);
}

static void test_threshold_never_allocates_below_n_entries(void **state)
{
	(void)state;
	setup(PMR_POLICY_THRESHOLD, 3, 2, 16);

	assert_int_equal(enter(1).alloc_slot, -1);
	assert_int_equal(enter(1).alloc_slot, -1);
	assert_int_equal(pmr_slot_of(&cache, 1), -1);
	assert_counts(pmr_vm_counters(&cache, 1), 0, 2, 0, 0);
	assert_int_equal(pmr_vm_counters(&cache, 1)->miss_bytes, 2 * VMCS_BYTES);
}

static void test_threshold_allocates_exactly_at_nth_entry(void **state)
{
	struct pmr_outcome o;
	(void)state;
	setup(PMR_POLICY_THRESHOLD, 3, 2, 16);

	assert_int_equal(enter(2).alloc_slot, -1);
	assert_int_equal(enter(2).alloc_slot, -1);
	o = enter(2);
	assert_false(o.hit);
	assert_int_equal(o.load_bytes, VMCS_BYTES);
	assert_int_equal(o.alloc_slot, 0);
	assert_true(enter(2).hit);
	assert_true(enter(2).hit);
	assert_counts(pmr_vm_counters(&cache, 2), 2, 3, 1, 0);
}

static void test_vmclear_flushes_and_frees_slot_another_vm_then_gets(void **state)
{
	struct pmr_outcome o;
	(void)state;
	setup(PMR_POLICY_FIRST, 1, 1, 16);

	enter(1);
	assert_true(pmr_on_vmclear(&cache, 1, &o));
	assert_true(o.flushed);
	assert_true(o.freed);
	assert_int_equal(o.slot, 0);
	assert_int_equal(pmr_slot_of(&cache, 1), -1);
	assert_int_equal(pmr_vm_counters(&cache, 1)->flushes, 1);

	o = enter(2);
	assert_false(o.hit);
	assert_int_equal(o.alloc_slot, 0);
	assert_int_equal(o.evicted_vm, 0);
	assert_int_equal(pmr_total(&cache)->evicts, 0);
	assert_int_equal(pmr_total(&cache)->flushes, 1);
}

static void test_vmclear_of_vm_without_slot_does_nothing(void **state)
{
	struct pmr_outcome o;
	(void)state;
	setup(PMR_POLICY_THRESHOLD, 5, 2, 16);

	enter(1);
	assert_true(pmr_on_vmclear(&cache, 1, &o));
	assert_false(o.flushed);
	assert_false(o.freed);
	assert_int_equal(o.slot, -1);
	assert_int_equal(pmr_total(&cache)->flushes, 0);
}

static void test_vmwrite_invalidates_only_that_field_and_next_hit_loads_its_bytes(void **state)
{
	struct pmr_outcome o;
	(void)state;
	setup(PMR_POLICY_FIRST, 1, 2, 16);

	enter(1);
	assert_true(pmr_on_vmwrite(&cache, 1, VMCS_guest_rip));      /* 8 bytes */
	o = enter(1);
	assert_true(o.hit);
	assert_int_equal(o.load_bytes, 8);
	assert_int_equal(enter(1).load_bytes, 0);                    /* clean again */

	assert_true(pmr_on_vmwrite(&cache, 1, VMCS_guest_cs_sel));   /* 2 bytes */
	assert_true(pmr_on_vmwrite(&cache, 1, VMCS_pin_controls));   /* 4 bytes */
	assert_int_equal(enter(1).load_bytes, 6);

	assert_int_equal(pmr_vm_counters(&cache, 1)->invalidates, 3);
	assert_int_equal(pmr_vm_counters(&cache, 1)->miss_bytes, VMCS_BYTES + 8 + 6);
}

static void test_second_vmwrite_to_invalid_field_counts_but_loads_once(void **state)
{
	(void)state;
	setup(PMR_POLICY_FIRST, 1, 2, 16);

	enter(1);
	assert_true(pmr_on_vmwrite(&cache, 1, VMCS_pin_controls));
	assert_true(pmr_on_vmwrite(&cache, 1, VMCS_pin_controls));
	assert_int_equal(enter(1).load_bytes, 4);
	assert_int_equal(pmr_total(&cache)->invalidates, 2);
}

static void test_vmwrite_to_vm_without_slot_invalidates_nothing(void **state)
{
	(void)state;
	setup(PMR_POLICY_THRESHOLD, 2, 2, 16);

	assert_false(pmr_on_vmwrite(&cache, 1, VMCS_guest_rip));     /* never entered */
	enter(1);
	assert_false(pmr_on_vmwrite(&cache, 1, VMCS_guest_rip));     /* no slot yet */
	assert_int_equal(pmr_total(&cache)->invalidates, 0);
	assert_int_equal(enter(1).load_bytes, VMCS_BYTES);           /* 2nd: miss, alloc */
}

static void test_per_vm_counters_sum_to_totals(void **state)
{
	static const unsigned seq[] = { 1, 2, 3, 1, 4, 2, 1, 3, 3, 4, 1, 0 };
	struct pmr_counters sum = { 0 };
	struct pmr_outcome o;
	const struct pmr_counters *t;
	(void)state;
	setup(PMR_POLICY_FIRST, 1, 2, 16);

	run(seq);
	pmr_on_vmwrite(&cache, 1, VMCS_guest_rip);
	pmr_on_vmwrite(&cache, 3, VMCS_guest_rsp);
	pmr_on_vmclear(&cache, 3, &o);
	run(seq);
	for (unsigned vm = 1; vm <= PMR_MAX_VMS; vm++) {
		const struct pmr_counters *k = pmr_vm_counters(&cache, vm);
		sum.hits += k->hits;
		sum.misses += k->misses;
		sum.allocs += k->allocs;
		sum.evicts += k->evicts;
		sum.flushes += k->flushes;
		sum.invalidates += k->invalidates;
		sum.miss_bytes += k->miss_bytes;
	}
	t = pmr_total(&cache);
	assert_memory_equal(&sum, t, sizeof(sum));
	assert_int_equal(t->hits + t->misses, 22);
	assert_int_equal(t->allocs, t->misses);   /* first allocates at every miss */
}

static void test_history_gives_slot_to_frequent_vm_over_rare_one(void **state)
{
	static const unsigned seq[] = { 2, 1, 2, 2, 1, 2, 0 };
	(void)state;
	setup(PMR_POLICY_HISTORY, 1, 1, 8);

	run(seq);
	/* vm2: no slot at its 1st entry (seen once), slot at its 2nd, hits after;
	 * vm1 reaches freq 2 < vm2's 3 and never displaces it. */
	assert_int_equal(pmr_slot_of(&cache, 2), 0);
	assert_counts(pmr_vm_counters(&cache, 2), 2, 2, 1, 0);
	assert_counts(pmr_vm_counters(&cache, 1), 0, 2, 0, 0);
}

static void test_history_rare_vm_never_evicts_frequent_one(void **state)
{
	static const unsigned seq[] = { 1, 1, 1, 2, 1, 3, 1, 4, 1, 2, 1, 3, 1, 0 };
	(void)state;
	setup(PMR_POLICY_HISTORY, 1, 1, 8);

	run(seq);
	assert_int_equal(pmr_slot_of(&cache, 1), 0);
	assert_counts(pmr_total(&cache), 6, 7, 1, 0);
	for (unsigned vm = 2; vm <= 4; vm++)
		assert_int_equal(pmr_vm_counters(&cache, vm)->allocs, 0);
}

static void test_history_more_frequent_vm_evicts_least_frequent_holder(void **state)
{
	struct pmr_outcome o;
	(void)state;
	setup(PMR_POLICY_HISTORY, 1, 1, 4);

	enter(1);
	assert_int_equal(enter(1).alloc_slot, 0);
	assert_int_equal(enter(2).alloc_slot, -1);     /* freq 1 */
	assert_int_equal(enter(2).alloc_slot, -1);     /* freq 2 == vm1's 2 */
	o = enter(2);                                  /* window 1,2,2,2 */
	assert_int_equal(o.alloc_slot, 0);
	assert_int_equal(o.evicted_vm, 1);
	assert_int_equal(o.evicted_slot, 0);
}

static void test_threshold_allocates_fewer_slots_to_rare_vm_than_first(void **state)
{
	static const unsigned seq[] = { 1, 1, 1, 2, 1, 1, 2, 1, 0 };
	(void)state;

	setup(PMR_POLICY_FIRST, 1, 1, 16);
	run(seq);
	assert_int_equal(pmr_vm_counters(&cache, 2)->allocs, 2);
	assert_counts(pmr_total(&cache), 3, 5, 5, 4);

	setup(PMR_POLICY_THRESHOLD, 3, 1, 16);
	run(seq);
	assert_int_equal(pmr_vm_counters(&cache, 2)->allocs, 0);
	assert_counts(pmr_total(&cache), 3, 5, 1, 0);
}

static void test_zero_slots_every_entry_misses(void **state)
{
	(void)state;
	setup(PMR_POLICY_FIRST, 1, 0, 16);

	for (int i = 0; i < 3; i++)
		assert_int_equal(enter(1).alloc_slot, -1);
	assert_counts(pmr_total(&cache), 0, 3, 0, 0);
}

static void test_bad_vm_id_changes_nothing(void **state)
{
	struct pmr_outcome o;
	(void)state;
	setup(PMR_POLICY_FIRST, 1, 2, 16);

	assert_false(pmr_on_entry(&cache, 0, VMCS_BYTES, &o));
	assert_false(pmr_on_entry(&cache, PMR_MAX_VMS + 1, VMCS_BYTES, &o));
	assert_false(pmr_on_vmclear(&cache, 0, &o));
	assert_false(pmr_on_vmwrite(&cache, 0, VMCS_guest_rip));
	assert_counts(pmr_total(&cache), 0, 0, 0, 0);
	assert_int_equal(pmr_vm_counters(&cache, 0)->misses, 0);
	assert_true(pmr_on_entry(&cache, PMR_MAX_VMS, VMCS_BYTES, &o));
}

static void test_init_rejects_out_of_range_config(void **state)
{
	struct pmr_config cfg;
	(void)state;

	pmr_config_default(&cfg);
	cfg.slots = PMR_MAX_SLOTS + 1;
	assert_false(pmr_init(&cache, &cfg));
	assert_int_equal(cache.cfg.slots, PMR_DEFAULT_SLOTS);
	pmr_config_default(&cfg);
	cfg.policy = PMR_POLICY_THRESHOLD;
	cfg.threshold = 0;
	assert_false(pmr_init(&cache, &cfg));
	pmr_config_default(&cfg);
	cfg.policy = PMR_POLICY_HISTORY;
	cfg.window = PMR_MAX_WINDOW + 1;
	assert_false(pmr_init(&cache, &cfg));
}

static bool parse(const char *s, struct pmr_config *cfg)
{
	pmr_config_default(cfg);
	return pmr_parse_policy(s, (unsigned)strlen(s), cfg);
}

static void test_parse_policy_accepts_good_strings(void **state)
{
	struct pmr_config cfg;
	(void)state;

	assert_true(parse("first", &cfg));
	assert_int_equal(cfg.policy, PMR_POLICY_FIRST);
	assert_true(parse("threshold:3", &cfg));
	assert_int_equal(cfg.policy, PMR_POLICY_THRESHOLD);
	assert_int_equal(cfg.threshold, 3);
	assert_true(parse("threshold:1", &cfg));
	assert_int_equal(cfg.threshold, 1);
	assert_true(parse("history", &cfg));
	assert_int_equal(cfg.policy, PMR_POLICY_HISTORY);
	assert_int_equal(cfg.window, PMR_DEFAULT_WINDOW);
	assert_true(parse("history:8", &cfg));
	assert_int_equal(cfg.window, 8);
	/* Only len characters count: "threshold:35" cut after "threshold:3". */
	assert_true(pmr_parse_policy("threshold:35", 11, &cfg));
	assert_int_equal(cfg.threshold, 3);
}

static void test_parse_policy_rejects_bad_strings(void **state)
{
	static const char *const bad[] = {
		"threshold:", "threshold:0", "foo", "threshold:abc", "threshold",
		"threshold:3x", "threshold:-1", "threshold:99999999999", "first:1",
		"firstx", "history:", "history:0", "history:257", "", "FIRST",
	};
	struct pmr_config cfg;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pmr_config_default(&cfg);
		cfg.threshold = 7;
		if (pmr_parse_policy(bad[i], (unsigned)strlen(bad[i]), &cfg))
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(cfg.policy, PMR_POLICY_FIRST);   /* untouched */
		assert_int_equal(cfg.threshold, 7);
	}
}

static void test_policy_format_round_trips_and_truncates(void **state)
{
	static const char *const good[] = {
		"first", "threshold:3", "threshold:1000000", "history", "history:8",
	};
	struct pmr_config cfg;
	char buf[32];
	(void)state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_true(parse(good[i], &cfg));
		assert_int_equal(pmr_policy_format(&cfg, buf, sizeof(buf)), strlen(good[i]));
		assert_string_equal(buf, good[i]);
	}
	assert_true(parse("threshold:3", &cfg));
	assert_int_equal(pmr_policy_format(&cfg, buf, 4), 3);
	assert_string_equal(buf, "thr");
}

/* The replay's step (pmr_write_then_hit, k rounds at once) against k
 * VMWRITEs each followed by an entry, for a VM holding a clean slot under
 * each policy, with another VM holding the other slot: the whole cache
 * (history's window too, also past a whole window of one VM) equal after
 * each step, and the victim the same afterwards. */
static void test_write_then_hit_is_a_vmwrite_and_an_entry(void **state)
{
	static struct pmr_cache two;
	const enum pmr_policy pol[] = { PMR_POLICY_FIRST, PMR_POLICY_THRESHOLD, PMR_POLICY_HISTORY };
	(void)state;
	for (unsigned p = 0; p < 3; p++) {
		setup(pol[p], 1, 2, 5);
		run((const unsigned[]){ 1, 2, 1, 2, 0 });
		two = cache;
		for (unsigned k = 1; k <= 13; k++) {    /* 1 to 13 rounds at once, window 5 */
			for (unsigned i = 0; i < k; i++) {
				assert_true(pmr_on_vmwrite(&cache, 1, VMCS_guest_rip));
				enter(1);
			}
			pmr_write_then_hit(&two, 1, VMCS_guest_rip, k);
			assert_memory_equal(&cache, &two, sizeof(cache));
		}
		struct pmr_outcome a, b;
		assert_true(pmr_on_entry(&cache, 3, VMCS_BYTES, &a));
		assert_true(pmr_on_entry(&two, 3, VMCS_BYTES, &b));
		/* LRU: 1 was entered last; history: 3, seen once, evicts nobody */
		assert_int_equal(a.evicted_vm, pol[p] == PMR_POLICY_HISTORY ? 0 : 2);
		assert_memory_equal(&cache, &two, sizeof(cache));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_policy_allocates_at_vmlaunch_and_hits_after),
		cmocka_unit_test(test_lru_evicts_least_recently_entered_with_3_vms_2_slots),
		cmocka_unit_test(test_threshold_never_allocates_below_n_entries),
		cmocka_unit_test(test_threshold_allocates_exactly_at_nth_entry),
		cmocka_unit_test(test_vmclear_flushes_and_frees_slot_another_vm_then_gets),
		cmocka_unit_test(test_vmclear_of_vm_without_slot_does_nothing),
		cmocka_unit_test(test_vmwrite_invalidates_only_that_field_and_next_hit_loads_its_bytes),
		cmocka_unit_test(test_second_vmwrite_to_invalid_field_counts_but_loads_once),
		cmocka_unit_test(test_vmwrite_to_vm_without_slot_invalidates_nothing),
		cmocka_unit_test(test_per_vm_counters_sum_to_totals),
		cmocka_unit_test(test_history_gives_slot_to_frequent_vm_over_rare_one),
		cmocka_unit_test(test_history_rare_vm_never_evicts_frequent_one),
		cmocka_unit_test(test_history_more_frequent_vm_evicts_least_frequent_holder),
		cmocka_unit_test(test_threshold_allocates_fewer_slots_to_rare_vm_than_first),
		cmocka_unit_test(test_zero_slots_every_entry_misses),
		cmocka_unit_test(test_bad_vm_id_changes_nothing),
		cmocka_unit_test(test_init_rejects_out_of_range_config),
		cmocka_unit_test(test_parse_policy_accepts_good_strings),
		cmocka_unit_test(test_parse_policy_rejects_bad_strings),
		cmocka_unit_test(test_policy_format_round_trips_and_truncates),
		cmocka_unit_test(test_write_then_hit_is_a_vmwrite_and_an_entry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
