/* ept_build: guest-physical [0, size) maps to the VM's host pages, RWX and
 * write-back, and nothing else is present. The pool is a host buffer used
 * as identity-mapped memory, so the tables are read directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "vmm/ept.h"
#include "tests/unit/pool_fixture.h"

#define HOST_PA 0x40000000ull      /* where the guest's memory lives (never touched) */

static const uint64_t *table(uint64_t entry)
{
	return (const uint64_t *)(uintptr_t)(entry & 0x000ffffffffff000ull);
}

/* Present entries of one table: index of each, count. */
static unsigned present(const uint64_t *t, unsigned *last)
{
	unsigned n = 0;
	for (unsigned i = 0; i < 512; i++)
		if (t[i] & 7) {
			n++;
			*last = i;
		}
	return n;
}

static void check_map(uint64_t pml4_pa, uint64_t size)
{
	const uint64_t *pml4 = (const uint64_t *)(uintptr_t)pml4_pa;
	unsigned last = 0;
	assert_int_equal(present(pml4, &last), 1);
	assert_int_equal(last, 0);
	assert_int_equal(pml4[0] & 0xfff, 7);
	const uint64_t *pdpt = table(pml4[0]);
	assert_int_equal(present(pdpt, &last), 1);
	assert_int_equal(last, 0);
	assert_int_equal(pdpt[0] & 0xfff, 7);     /* RWX, not a 1 GiB page */
	const uint64_t *pd = table(pdpt[0]);
	assert_int_equal(present(pd, &last), 1);
	assert_int_equal(last, 0);
	assert_int_equal(pd[0] & 0xfff, 7);       /* RWX, not a 2 MiB page */
	const uint64_t *pt = table(pd[0]);
	unsigned pages = (unsigned)(size / PAGE_SIZE);
	assert_int_equal(present(pt, &last), pages);
	assert_int_equal(last, pages - 1);
	for (unsigned i = 0; i < pages; i++) {
		assert_int_equal(pt[i] & ~0xfffull, HOST_PA + i * PAGE_SIZE);
		assert_int_equal(pt[i] & 7, 7);              /* read, write, execute */
		assert_int_equal((pt[i] >> 3) & 7, 6);       /* memory type WB */
		assert_int_equal(pt[i] & 0xfc0, 0);          /* no ignore-PAT, large, A/D */
	}
	for (unsigned i = pages; i < 512; i++)
		assert_int_equal(pt[i], 0);
}

static void test_64k_maps_16_pages_rwx_write_back(void **state)
{
	(void)state;
	uint64_t root = ept_build(&a, HOST_PA, 64 * 1024);
	assert_int_equal(root, (uint64_t)(uintptr_t)pool);
	check_map(root, 64 * 1024);
}

static void test_one_page_maps_one_page(void **state)
{
	(void)state;
	check_map(ept_build(&a, HOST_PA, PAGE_SIZE), PAGE_SIZE);
}

static void test_max_size_fills_the_page_table(void **state)
{
	(void)state;
	check_map(ept_build(&a, HOST_PA, EPT_MAX_BYTES), EPT_MAX_BYTES);
}

static void test_tables_take_ept_pages_contiguous_pages(void **state)
{
	(void)state;
	uint64_t root = ept_build(&a, HOST_PA, PAGE_SIZE);
	assert_int_equal(a.used, EPT_PAGES);
	const uint64_t *pml4 = (const uint64_t *)(uintptr_t)root;
	assert_int_equal(table(pml4[0]), root + PAGE_SIZE);
}

static void test_rejects_zero_size(void **state)
{
	(void)state;
	assert_int_equal(ept_build(&a, HOST_PA, 0), 0);
	assert_int_equal(a.used, 0);
}

static void test_rejects_unaligned_size(void **state)
{
	(void)state;
	assert_int_equal(ept_build(&a, HOST_PA, PAGE_SIZE + 1), 0);
	assert_int_equal(ept_build(&a, HOST_PA, 100), 0);
	assert_int_equal(a.used, 0);
}

static void test_rejects_size_over_max(void **state)
{
	(void)state;
	assert_int_equal(ept_build(&a, HOST_PA, EPT_MAX_BYTES + PAGE_SIZE), 0);
	assert_int_equal(a.used, 0);
}

static void test_out_of_pages_returns_0(void **state)
{
	(void)state;
	assert_int_not_equal(ept_build(&a, HOST_PA, PAGE_SIZE), 0);
	assert_int_not_equal(ept_build(&a, HOST_PA, PAGE_SIZE), 0);
	assert_int_equal(ept_build(&a, HOST_PA, PAGE_SIZE), 0);   /* 8 pages, 4 each */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, pool_setup, pool_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_64k_maps_16_pages_rwx_write_back),
		T(test_one_page_maps_one_page),
		T(test_max_size_fills_the_page_table),
		T(test_tables_take_ept_pages_contiguous_pages),
		T(test_rejects_zero_size),
		T(test_rejects_unaligned_size),
		T(test_rejects_size_over_max),
		T(test_out_of_pages_returns_0),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
