/* The hypervisor's event constants and svtrace's schema are made from the
 * same rows of vmm/trace_events.def: as many events on both sides, every
 * name the emitter prints known to svtrace, and lines printed by trace_hv()
 * and trace_vm() accepted by svtrace's parser and schema. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/trace.h"
#include "tools/trace/events.h"

/* The rows of each kind, counted straight from the table. */
#define COUNT_hv_hv 1 +
#define COUNT_hv_vm
#define COUNT_vm_hv
#define COUNT_vm_vm 1 +
#define TRACE_EVENT(scope, name, keys, meaning)
#define TRACE_SHAPE(scope, name, keys, meaning) COUNT_hv_##scope
static const size_t hv_shapes = (
#include "vmm/trace_events.def"
	0);
#undef TRACE_SHAPE
#define TRACE_SHAPE(scope, name, keys, meaning) COUNT_vm_##scope
static const size_t vm_shapes = (
#include "vmm/trace_events.def"
	0);
#undef TRACE_SHAPE
#undef TRACE_EVENT

static char line[2048];
static size_t line_len;

static unsigned sink_calls;

static void capture(const char *s, size_t n)
{
	sink_calls++;
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, s, n);
	line[n] = '\0';
	line_len = n;
}

/* svtrace's verdict on the captured line: 0 valid, else -1 with why. */
static int svtrace_validate(char *why, size_t n)
{
	static struct trace_event ev;

	if (trace_parse_line(line, line_len, &ev) != TRACE_LINE_EVENT) {
		snprintf(why, n, "does not parse: %s", ev.error);
		return -1;
	}
	return trace_event_validate(&ev, why, n);
}

static void test_same_number_of_events(void **state)
{
	(void)state;
	assert_int_equal(trace_schema_rows(1) - hv_shapes, TEV_HV_COUNT);
	assert_int_equal(trace_schema_rows(0) - vm_shapes, TEV_VM_COUNT);
}

/* A line with no keys is refused for a missing key, never for its name. */
static void test_every_emitted_name_is_in_the_schema(void **state)
{
	char why[256];

	(void)state;
	trace_set_sink(capture);
	for (int e = 0; e < TEV_HV_COUNT; e++) {
		trace_hv((enum trace_hv_event)e, "%s", "x=1");
		if (svtrace_validate(why, sizeof(why)) != 0 && strstr(why, "unknown event"))
			fail_msg("%s: %s", line, why);
	}
	for (int e = 0; e < TEV_VM_COUNT; e++) {
		trace_vm(2, (enum trace_vm_event)e, "%s", "x=1");
		if (svtrace_validate(why, sizeof(why)) != 0 && strstr(why, "unknown event"))
			fail_msg("%s: %s", line, why);
	}
	trace_set_sink(NULL);
}

static void test_printed_lines_are_valid(void **state)
{
	char why[256];

	(void)state;
	trace_set_sink(capture);
	trace_set_detail(true);
	trace_vm(3, TEV_VM_pmr, "op=evict slot=%d by=%u", 1, 2u);
	assert_string_equal(line, "vm=3 ev=pmr op=evict slot=1 by=2 cpu=0\n");
	if (svtrace_validate(why, sizeof(why)))
		fail_msg("%s", why);
	trace_hv(TEV_HV_vmxon, "status=%s error=%u", "ok", 0u);
	assert_string_equal(line, "hv ev=vmxon status=ok error=0 cpu=0\n");
	if (svtrace_validate(why, sizeof(why)))
		fail_msg("%s", why);
	trace_vm(1, TEV_VM_entryfail, "n=%d insn=vmlaunch status=vmfail_invalid", 4);
	if (svtrace_validate(why, sizeof(why)))
		fail_msg("%s", why);
	trace_vm(1, TEV_VM_entryfail, "n=%d insn=vmlaunch status=vmfail", 4);
	assert_int_equal(svtrace_validate(why, sizeof(why)), -1);
	assert_string_equal(why, "ev=entryfail without error=");
	trace_set_sink(NULL);
}

/* trace=summary drops the detail events and keeps the others. */
static void test_summary_drops_detail_events(void **state)
{
	(void)state;
	trace_set_sink(capture);
	trace_set_detail(false);
	line[0] = '\0';
	trace_vm(1, TEV_VM_exit, "n=1 reason=cpuid rip=0x1000 len=2");
	assert_string_equal(line, "");
	trace_vm(1, TEV_VM_end, "status=done why=\"\"");
	assert_string_equal(line, "vm=1 ev=end status=done why=\"\" cpu=0\n");
	trace_set_detail(true);
	trace_set_sink(NULL);
}

static unsigned cpu_three(void)
{
	return 3;
}

/* Every line ends in the printing processor's cpu=, from the composition's
 * source, and reaches the sink in one call (a lock around the sink keeps
 * processors' lines apart); svtrace reads the key. */
static void test_every_line_says_its_cpu_in_one_sink_call(void **state)
{
	static struct trace_event ev;
	uint64_t cpu = 99;

	(void)state;
	trace_set_sink(capture);
	trace_set_cpu_source(cpu_three);
	sink_calls = 0;
	trace_vm(2, TEV_VM_move, "from=%u to=%u", 1u, 3u);
	assert_string_equal(line, "vm=2 ev=move from=1 to=3 cpu=3\n");
	assert_int_equal(sink_calls, 1);
	assert_int_equal(trace_parse_line(line, line_len, &ev), TRACE_LINE_EVENT);
	assert_int_equal(trace_num(&ev, "cpu", &cpu), 0);
	assert_int_equal(cpu, 3);
	/* A line cut at the buffer's end still ends in its cpu=. */
	static char big[1500];
	memset(big, 'a', sizeof(big) - 1);
	trace_hv(TEV_HV_error, "what=\"%s\"", big);
	assert_true(line_len > 20);
	assert_string_equal(line + line_len - 7, " cpu=3\n");
	trace_set_cpu_source(NULL);
	trace_vm(2, TEV_VM_move, "from=%u to=%u", 1u, 3u);
	assert_string_equal(line, "vm=2 ev=move from=1 to=3 cpu=0\n");
	trace_set_sink(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_number_of_events),
		cmocka_unit_test(test_every_emitted_name_is_in_the_schema),
		cmocka_unit_test(test_printed_lines_are_valid),
		cmocka_unit_test(test_summary_drops_detail_events),
		cmocka_unit_test(test_every_line_says_its_cpu_in_one_sink_call),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
