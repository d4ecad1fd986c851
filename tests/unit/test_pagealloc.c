/* The page allocator over a host buffer used as an identity-mapped pool:
 * first fit, contiguous runs, zeroed pages, exhaustion, reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "vmm/pagealloc.h"
#include "tests/unit/pool_fixture.h"


static uint64_t page(unsigned i)
{
	return (uint64_t)(uintptr_t)pool + i * PAGE_SIZE;
}

static void test_init_counts_whole_pages(void **state)
{
	(void)state;
	assert_int_equal(a.pages, POOL_PAGES);
	assert_int_equal(a.used, 0);
	struct pagealloc b;
	pagealloc_init(&b, page(0), 3 * PAGE_SIZE + 100);
	assert_int_equal(b.pages, 3);
}

static void test_first_fit_hands_out_pages_in_order(void **state)
{
	(void)state;
	assert_int_equal(pagealloc_get(&a, 1), page(0));
	assert_int_equal(pagealloc_get(&a, 1), page(1));
	assert_int_equal(pagealloc_get(&a, 2), page(2));
	assert_int_equal(a.used, 4);
}

static void test_run_skips_holes_too_small(void **state)
{
	(void)state;
	assert_int_equal(pagealloc_get(&a, 3), page(0));
	assert_int_equal(pagealloc_get(&a, 1), page(3));
	pagealloc_put(&a, page(1), 1);                 /* a one-page hole at 1 */
	assert_int_equal(pagealloc_get(&a, 2), page(4));
	assert_int_equal(pagealloc_get(&a, 1), page(1));  /* first fit fills the hole */
}

static void test_allocation_is_zeroed(void **state)
{
	(void)state;
	uint64_t p = pagealloc_get(&a, 2);
	const uint8_t *b = (const uint8_t *)(uintptr_t)p;
	for (size_t i = 0; i < 2 * PAGE_SIZE; i++)
		if (b[i])
			fail_msg("byte %zu is 0x%02x", i, b[i]);
	assert_int_equal(pool[2 * PAGE_SIZE], 0xa5);      /* the next page untouched */
}

static void test_exhaustion_returns_0(void **state)
{
	(void)state;
	assert_int_equal(pagealloc_get(&a, POOL_PAGES + 1), 0);
	assert_int_equal(pagealloc_get(&a, POOL_PAGES), page(0));
	assert_int_equal(pagealloc_get(&a, 1), 0);
	assert_int_equal(a.used, POOL_PAGES);
}

static void test_zero_pages_returns_0(void **state)
{
	(void)state;
	assert_int_equal(pagealloc_get(&a, 0), 0);
	assert_int_equal(a.used, 0);
}

static void test_put_then_get_reuses_the_pages(void **state)
{
	(void)state;
	uint64_t p = pagealloc_get(&a, POOL_PAGES);
	pagealloc_put(&a, p + 2 * PAGE_SIZE, 3);
	assert_int_equal(a.used, POOL_PAGES - 3);
	memset((void *)(uintptr_t)(p + 2 * PAGE_SIZE), 0x5a, 3 * PAGE_SIZE);
	assert_int_equal(pagealloc_get(&a, 3), page(2));
	assert_int_equal(pool[2 * PAGE_SIZE], 0);
	assert_int_equal(a.used, POOL_PAGES);
}

static void test_put_of_free_or_foreign_pages_changes_nothing(void **state)
{
	(void)state;
	pagealloc_get(&a, 1);
	pagealloc_put(&a, page(5), 1);                 /* never allocated */
	assert_int_equal(a.used, 1);
	pagealloc_put(&a, page(0) - PAGE_SIZE, 1);     /* below the pool */
	assert_int_equal(a.used, 1);
	pagealloc_put(&a, page(POOL_PAGES), 4);        /* past the pool */
	assert_int_equal(a.used, 1);
}

/* An aligned run starts at a multiple of align pages from address 0:
 * with page 0 taken, 2 pages aligned to 4 start at page 4, and 4 more
 * such pages do not fit in the 8. */
static void test_aligned_run_starts_at_a_multiple(void **state)
{
	(void)state;
	uint64_t base = (uint64_t)(uintptr_t)pool;    /* the fixture's pool is page-aligned */
	unsigned skew = (unsigned)((base / PAGE_SIZE) & 3);
	assert_int_equal(pagealloc_get(&a, 1), base);
	uint64_t got = pagealloc_get_aligned(&a, 2, 4);
	assert_int_equal((got / PAGE_SIZE) & 3, 0);
	assert_true(got > base);
	assert_int_equal(a.used, 3);
	if (skew == 0)
		assert_int_equal(pagealloc_get_aligned(&a, 4, 4), 0);
	assert_int_equal(pagealloc_get_aligned(&a, 1, 0), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, pool_setup, pool_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_counts_whole_pages),
		T(test_first_fit_hands_out_pages_in_order),
		T(test_run_skips_holes_too_small),
		T(test_allocation_is_zeroed),
		T(test_exhaustion_returns_0),
		T(test_zero_pages_returns_0),
		T(test_put_then_get_reuses_the_pages),
		T(test_put_of_free_or_foreign_pages_changes_nothing),
		T(test_aligned_run_starts_at_a_multiple),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
