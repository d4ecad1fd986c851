/* The inverse index validate_dirty uses (field -> checks reading it) must
 * cover the whole table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "vmm/shadow/entry_checks.h"

static void test_check_table_fits_the_dirty_index(void **state)
{
	(void)state;
	assert_true(entry_check_count() <= 256);
	assert_true(entry_check_count() > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_table_fits_the_dirty_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
