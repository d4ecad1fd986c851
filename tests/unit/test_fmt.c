/* fmt(): the hypervisor's snprintf, and trace_quote(), the one way a
 * free-text trace value is escaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "vmm/fmt.h"
#include "vmm/trace.h"

static char buf[128];

/* fmt without the compiler's printf checking, for formats it would reject. */
static size_t unchecked(char *b, size_t size, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	size_t n = vfmt(b, size, f, ap);
	va_end(ap);
	return n;
}

static void test_string_and_char(void **state)
{
	(void)state;
	assert_int_equal(fmt(buf, sizeof(buf), "[%s|%c]", "vmx", 'Z'), 7);
	assert_string_equal(buf, "[vmx|Z]");
}

static void test_null_string_prints_null(void **state)
{
	(void)state;
	unchecked(buf, sizeof(buf), "%s", (const char *)NULL);
	assert_string_equal(buf, "(null)");
}

static void test_signed_decimal_including_negative(void **state)
{
	(void)state;
	fmt(buf, sizeof(buf), "%d %d %d", 0, 42, -42);
	assert_string_equal(buf, "0 42 -42");
	fmt(buf, sizeof(buf), "%d", INT32_MIN);
	assert_string_equal(buf, "-2147483648");
}

static void test_int64_min_with_lld(void **state)
{
	(void)state;
	fmt(buf, sizeof(buf), "%lld", (long long)INT64_MIN);
	assert_string_equal(buf, "-9223372036854775808");
}

static void test_unsigned_and_hex(void **state)
{
	(void)state;
	fmt(buf, sizeof(buf), "%u %x %x", 4294967295u, 0xdeadbeefu, 0u);
	assert_string_equal(buf, "4294967295 deadbeef 0");
	fmt(buf, sizeof(buf), "%llx %llu", 0xffffffffffffffffull, 18446744073709551615ull);
	assert_string_equal(buf, "ffffffffffffffff 18446744073709551615");
}

static void test_percent_and_unknown_conversion_are_literal(void **state)
{
	(void)state;
	unchecked(buf, sizeof(buf), "100%% %q");
	assert_string_equal(buf, "100% %q");
}

static void test_width_pads_with_spaces_and_zero_pads_with_zeros(void **state)
{
	(void)state;
	fmt(buf, sizeof(buf), "[%5d][%08x][%02x][%3u]", 42, 0xbeefu, 0x7u, 12345u);
	assert_string_equal(buf, "[   42][0000beef][07][12345]");
}

/* printf puts the sign before the zeros: "%05d" of -42 is "-0042". */
static void test_zero_padded_negative_puts_sign_before_zeros(void **state)
{
	(void)state;
	fmt(buf, sizeof(buf), "%05d", -42);
	assert_string_equal(buf, "-0042");
}

static void test_truncation_nul_terminates_and_returns_truncated_length(void **state)
{
	(void)state;
	char small[6];
	memset(small, 'x', sizeof(small));
	assert_int_equal(fmt(small, sizeof(small), "vmlaunch %d", 123), 5);
	assert_string_equal(small, "vmlau");
	assert_int_equal(fmt(small, 1, "abc"), 0);
	assert_int_equal(small[0], '\0');
	small[0] = 'x';
	assert_int_equal(fmt(small, 0, "abc"), 0);
	assert_int_equal(small[0], 'x');       /* size 0: nothing written */
}

static void test_quote_escapes_quote_backslash_control_and_high_bytes(void **state)
{
	(void)state;
	const char s[] = "a\"b\\c\n\x7f\xff";
	assert_int_equal(trace_quote(buf, sizeof(buf), s, sizeof(s) - 1), 21);
	assert_string_equal(buf, "\"a\\\"b\\\\c\\x0a\\x7f\\xff\"");
}

static void test_quote_escapes_nul_inside_length(void **state)
{
	(void)state;
	assert_int_equal(trace_quote(buf, sizeof(buf), "a\0b", 3), 8);
	assert_string_equal(buf, "\"a\\x00b\"");
}

static void test_quote_respects_buffer_size_and_keeps_closing_quote(void **state)
{
	(void)state;
	char small[8];
	/* room for the quotes, a NUL and 4 characters */
	assert_int_equal(trace_quote(small, sizeof(small), "abcdefgh", 8), 7);
	assert_string_equal(small, "\"abcde\"");
	/* an escape is never cut in half */
	assert_int_equal(trace_quote(small, sizeof(small), "ab\n", 3), 4);
	assert_string_equal(small, "\"ab\"");
	/* too small for two quotes and a NUL: nothing */
	assert_int_equal(trace_quote(small, 2, "a", 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string_and_char),
		cmocka_unit_test(test_null_string_prints_null),
		cmocka_unit_test(test_signed_decimal_including_negative),
		cmocka_unit_test(test_int64_min_with_lld),
		cmocka_unit_test(test_unsigned_and_hex),
		cmocka_unit_test(test_percent_and_unknown_conversion_are_literal),
		cmocka_unit_test(test_width_pads_with_spaces_and_zero_pads_with_zeros),
		cmocka_unit_test(test_zero_padded_negative_puts_sign_before_zeros),
		cmocka_unit_test(test_truncation_nul_terminates_and_returns_truncated_length),
		cmocka_unit_test(test_quote_escapes_quote_backslash_control_and_high_bytes),
		cmocka_unit_test(test_quote_escapes_nul_inside_length),
		cmocka_unit_test(test_quote_respects_buffer_size_and_keeps_closing_quote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
