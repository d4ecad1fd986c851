/* The boot command line: defaults, the image path, vms=, policy=, slots=,
 * quantum=, testhc=, cpus=, entrycheck=, and errors that name what was wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "vmm/config.h"

static const struct guest_image hello = { "hello", MODE_REAL16, 64, "", NULL, NULL, GUEST_FLAT };
static const struct guest_image counter = { "counter", MODE_PROT32, 64, "", NULL, NULL, GUEST_FLAT };
static const struct guest_image pager = { "pager", MODE_PROT32, 128, "", NULL, NULL, GUEST_FLAT };
static const struct guest_image linux_guest = { "linux", MODE_PROT32, 131072, "", NULL, NULL, GUEST_LINUX };

static const struct guest_image *lookup(const char *name, unsigned len)
{
	static const struct guest_image *const known[] = { &hello, &counter, &pager, &linux_guest };
	for (unsigned i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i]->name) == len && memcmp(known[i]->name, name, len) == 0)
			return known[i];
	return NULL;
}

static struct config c;
static char err[128];

static bool parse(const char *cmdline)
{
	return config_parse(cmdline, lookup, &c, err, sizeof(err));
}

static void test_empty_command_line_gives_defaults(void **state)
{
	(void)state;
	assert_true(parse(""));
	assert_int_equal(c.nvms, 1);
	assert_ptr_equal(c.vms[0], &hello);
	assert_int_equal(c.pmr.policy, PMR_POLICY_FIRST);
	assert_int_equal(c.pmr.slots, 2);
	assert_int_equal(c.quantum, 20000);
	assert_null(c.entrycheck);
	assert_false(c.testhc);
	assert_string_equal(err, "");
	assert_true(parse(NULL));
	assert_int_equal(c.nvms, 1);
}

static void test_first_word_without_equals_is_the_image_path(void **state)
{
	(void)state;
	assert_true(parse("/boot/hv.elf vms=counter"));
	assert_int_equal(c.nvms, 1);
	assert_ptr_equal(c.vms[0], &counter);
	assert_true(parse("  \\EFI\\hypervisor.efi\tslots=3"));
	assert_int_equal(c.pmr.slots, 3);
}

static void test_second_word_without_equals_is_an_unknown_option(void **state)
{
	(void)state;
	assert_false(parse("/boot/hv.elf stray"));
	assert_string_equal(err, "unknown option \"stray\"");
}

static void test_vms_list_keeps_order_and_repeats(void **state)
{
	(void)state;
	assert_true(parse("vms=pager,hello,pager,counter"));
	assert_int_equal(c.nvms, 4);
	assert_ptr_equal(c.vms[0], &pager);
	assert_ptr_equal(c.vms[1], &hello);
	assert_ptr_equal(c.vms[2], &pager);
	assert_ptr_equal(c.vms[3], &counter);
}

/* NAME:SIZE gives a VM its memory: K, M or G, 64K to 1G, whole pages;
 * without a size it is 0 (the guest's default). */
static void test_vms_memory_sizes(void **state)
{
	(void)state;
	assert_true(parse("vms=pager:128M,hello,counter:64k,pager:1G"));
	assert_int_equal(c.nvms, 4);
	assert_ptr_equal(c.vms[0], &pager);
	assert_int_equal(c.mem_kb[0], 131072);
	assert_int_equal(c.mem_kb[1], 0);
	assert_int_equal(c.mem_kb[2], 64);
	assert_int_equal(c.mem_kb[3], 1048576);
	const char *bad[] = { "vms=hello:", "vms=hello:12", "vms=hello:2G", "vms=hello:32K", "vms=hello:66K",
			      "vms=hello:M", "vms=hello:1T", "vms=hello:99999999999K" };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(parse(bad[i]));
		assert_non_null(strstr(err, "bad memory size in vms="));
	}
	assert_false(parse("vms=nosuch:64M"));
	assert_string_equal(err, "unknown guest \"nosuch\" in vms=");
}

/* A linux guest makes trace=summary the default; trace=all still wins. */
static void test_linux_guest_defaults_to_trace_summary(void **state)
{
	(void)state;
	assert_true(parse("vms=hello,linux:128M"));
	assert_true(c.trace_summary);
	assert_true(parse("vms=hello,linux trace=all"));
	assert_false(c.trace_summary);
	assert_true(parse("trace=all vms=linux"));
	assert_false(c.trace_summary);
	assert_true(parse("vms=hello"));
	assert_false(c.trace_summary);
	assert_false(parse("vms=nosuch:64M"));
	assert_string_equal(err, "unknown guest \"nosuch\" in vms=");
}

static void make_vms(char *buf, size_t size, unsigned n)
{
	size_t o = (size_t)snprintf(buf, size, "vms=");
	for (unsigned i = 0; i < n; i++)
		o += (size_t)snprintf(buf + o, size - o, "%shello", i ? "," : "");
}

static void test_vms_accepts_32_vms(void **state)
{
	(void)state;
	char line[512];
	make_vms(line, sizeof(line), VM_MAX);
	assert_true(parse(line));
	assert_int_equal(c.nvms, 32);
}

static void test_vms_rejects_33_vms(void **state)
{
	(void)state;
	char line[512];
	make_vms(line, sizeof(line), VM_MAX + 1);
	assert_false(parse(line));
	assert_string_equal(err, "too many VMs in vms= (at most 32)");
}

static void test_unknown_guest_is_an_error_naming_it(void **state)
{
	(void)state;
	assert_false(parse("vms=hello,nosuch"));
	assert_string_equal(err, "unknown guest \"nosuch\" in vms=");
}

static void test_empty_guest_name_is_an_error(void **state)
{
	(void)state;
	assert_false(parse("vms=hello,,pager"));
	assert_string_equal(err, "unknown guest \"\" in vms=");
}

static void test_unknown_key_is_an_error_naming_it(void **state)
{
	(void)state;
	assert_false(parse("vms=hello colour=blue"));
	assert_string_equal(err, "unknown option \"colour=blue\"");
}

static void test_policy_values(void **state)
{
	(void)state;
	assert_true(parse("policy=threshold:3"));
	assert_int_equal(c.pmr.policy, PMR_POLICY_THRESHOLD);
	assert_int_equal(c.pmr.threshold, 3);
	assert_true(parse("policy=history:8"));
	assert_int_equal(c.pmr.policy, PMR_POLICY_HISTORY);
	assert_int_equal(c.pmr.window, 8);
}

static void test_bad_policy_is_an_error(void **state)
{
	(void)state;
	assert_false(parse("policy=lru"));
	assert_string_equal(err, "bad policy= (use first, threshold:N or history[:W])");
	assert_false(parse("policy=threshold:0"));
	assert_false(parse("policy="));
}

static void test_slots_range_is_0_to_max(void **state)
{
	(void)state;
	assert_true(parse("slots=0"));
	assert_int_equal(c.pmr.slots, 0);
	assert_true(parse("slots=8"));
	assert_int_equal(c.pmr.slots, 8);
	assert_false(parse("slots=9"));
	assert_string_equal(err, "bad slots= (0..8)");
	assert_false(parse("slots=-1"));
	assert_false(parse("slots="));
	assert_false(parse("slots=2x"));
}

static void test_quantum_must_be_a_positive_32_bit_number(void **state)
{
	(void)state;
	assert_true(parse("quantum=4294967295"));
	assert_int_equal(c.quantum, 4294967295u);
	assert_false(parse("quantum=0"));
	assert_string_equal(err, "bad quantum= (a positive number of timer ticks)");
	assert_false(parse("quantum=4294967296"));
	assert_false(parse("quantum=12345678901"));
	assert_false(parse("quantum=1e3"));
}

static void test_entrycheck_is_kept_as_pointer_and_length(void **state)
{
	(void)state;
	const char *line = "entrycheck=guest.rflags.reserved vms=hello";
	assert_true(parse(line));
	assert_ptr_equal(c.entrycheck, line + strlen("entrycheck="));
	assert_int_equal(c.entrycheck_len, strlen("guest.rflags.reserved"));
}

static void test_error_message_is_truncated_to_the_buffer(void **state)
{
	(void)state;
	char small[12];
	memset(small, 'x', sizeof(small));
	assert_false(config_parse("frobnicate=1", lookup, &c, small, sizeof(small)));
	assert_int_equal(small[sizeof(small) - 1], '\0');
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void test_fastpath_on_noreplay_off(void **state)
{
	static const struct {
		const char *line;
		bool off, replay_off;
	} want[] = {
		{ "", false, false },
		{ "fastpath=on", false, false },
		{ "fastpath=noreplay", false, true },
		{ "fastpath=off", true, true },
	};
	(void)state;
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_true(parse(want[i].line));
		assert_int_equal(c.fastpath_off, want[i].off);
		assert_int_equal(c.replay_off, want[i].replay_off);
	}
	assert_false(parse("fastpath=replay"));
	assert_non_null(strstr(err, "bad fastpath= (use on, noreplay or off)"));
}

/* migrate= is none unless given; every:K and balance parse; anything else
 * is an error with the words it takes. */
static void test_migrate_values(void **state)
{
	(void)state;
	assert_true(parse("vms=hello"));
	assert_int_equal(c.migrate.kind, MIGRATE_NONE);
	assert_true(parse("migrate=every:2"));
	assert_int_equal(c.migrate.kind, MIGRATE_EVERY);
	assert_int_equal(c.migrate.every, 2);
	assert_true(parse("migrate=balance"));
	assert_int_equal(c.migrate.kind, MIGRATE_BALANCE);
	assert_false(parse("migrate=every:0"));
	assert_non_null(strstr(err, "bad migrate= (use none, every:K with K >= 1, or balance)"));
	assert_false(parse("migrate=often"));
}

/* Test hypercalls are off unless asked for; the last word wins; any other
 * value is an error naming the key and the words it takes. */
static void test_testhc_on_off_and_bad_values(void **state)
{
	(void)state;
	assert_true(parse("vms=hello testhc=on"));
	assert_true(c.testhc);
	assert_true(parse("testhc=off"));
	assert_false(c.testhc);
	assert_true(parse("testhc=on testhc=off"));
	assert_false(c.testhc);
	static const char *const bad[] = { "testhc=yes", "testhc=1", "testhc=ON", "testhc=onn", "testhc=o" };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(parse(bad[i]));
		assert_string_equal(err, "bad testhc= (use on or off)");
	}
	assert_false(parse("testhc="));
	assert_false(parse("vms=hello testhc"));
	assert_string_equal(err, "unknown option \"testhc\"");
}

static void test_cpus_default_is_every_cpu_and_range_is_1_to_max(void **state)
{
	(void)state;
	assert_true(parse(""));
	assert_int_equal(c.cpus, 0);
	assert_true(parse("cpus=1"));
	assert_int_equal(c.cpus, 1);
	assert_true(parse("cpus=8"));
	assert_int_equal(c.cpus, SMP_MAX_CPUS);
	const char *bad[] = { "cpus=0", "cpus=9", "cpus=", "cpus=two", "cpus=-1", "cpus=4294967297" };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(parse(bad[i]));
		assert_string_equal(err, "bad cpus= (1..8: the CPUs to use, the boot CPU included)");
	}
	assert_false(parse("vms=hello cpus"));
	assert_string_equal(err, "unknown option \"cpus\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fastpath_on_noreplay_off),
		cmocka_unit_test(test_migrate_values),
		cmocka_unit_test(test_empty_command_line_gives_defaults),
		cmocka_unit_test(test_first_word_without_equals_is_the_image_path),
		cmocka_unit_test(test_second_word_without_equals_is_an_unknown_option),
		cmocka_unit_test(test_vms_list_keeps_order_and_repeats),
		cmocka_unit_test(test_vms_memory_sizes),
		cmocka_unit_test(test_linux_guest_defaults_to_trace_summary),
		cmocka_unit_test(test_vms_accepts_32_vms),
		cmocka_unit_test(test_vms_rejects_33_vms),
		cmocka_unit_test(test_unknown_guest_is_an_error_naming_it),
		cmocka_unit_test(test_empty_guest_name_is_an_error),
		cmocka_unit_test(test_unknown_key_is_an_error_naming_it),
		cmocka_unit_test(test_policy_values),
		cmocka_unit_test(test_bad_policy_is_an_error),
		cmocka_unit_test(test_slots_range_is_0_to_max),
		cmocka_unit_test(test_quantum_must_be_a_positive_32_bit_number),
		cmocka_unit_test(test_entrycheck_is_kept_as_pointer_and_length),
		cmocka_unit_test(test_testhc_on_off_and_bad_values),
		cmocka_unit_test(test_error_message_is_truncated_to_the_buffer),
		cmocka_unit_test(test_cpus_default_is_every_cpu_and_range_is_1_to_max),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
