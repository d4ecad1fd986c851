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
	uint64_t root = ept_build(&a, HOST_PA, 64 * 1024, true);
	assert_int_equal(root, (uint64_t)(uintptr_t)pool);
	check_map(root, 64 * 1024);
}

static void test_one_page_maps_one_page(void **state)
{
	(void)state;
	check_map(ept_build(&a, HOST_PA, PAGE_SIZE, true), PAGE_SIZE);
}


static void test_2mib_without_large_pages_fills_a_page_table(void **state)
{
	(void)state;
	check_map(ept_build(&a, HOST_PA, EPT_LARGE, false), EPT_LARGE);
}

/* 6 MiB at a 2 MiB-aligned host address: three PD entries, each a 2 MiB
 * page (bit 7), write-back, no page table. */
static void test_aligned_memory_gets_2mib_pages(void **state)
{
	(void)state;
	assert_int_equal(ept_pages(HOST_PA, 3 * EPT_LARGE, true), 3);
	const uint64_t *pml4 = (const uint64_t *)(uintptr_t)ept_build(&a, HOST_PA, 3 * EPT_LARGE, true);
	assert_int_equal(a.used, 3);
	const uint64_t *pd = table(table(pml4[0])[0]);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(pd[i] & ~0xfffull, HOST_PA + i * EPT_LARGE);
		assert_int_equal(pd[i] & 0xff, 0x80 | (6 << 3) | 7);
	}
	assert_int_equal(pd[3], 0);
}

/* 2 MiB + 64 KiB at an address 4 KiB past alignment: no large page fits;
 * two page tables, the second with 16 entries. */
static void test_unaligned_memory_gets_page_tables(void **state)
{
	(void)state;
	uint64_t size = EPT_LARGE + 64 * 1024, host = HOST_PA + PAGE_SIZE;
	assert_int_equal(ept_pages(host, size, true), 5);
	const uint64_t *pml4 = (const uint64_t *)(uintptr_t)ept_build(&a, host, size, true);
	assert_non_null(pml4);
	const uint64_t *pd = table(table(pml4[0])[0]);
	const uint64_t *pt0 = table(pd[0]), *pt1 = table(pd[1]);
	assert_int_equal(pt0[0] & ~0xfffull, host);
	assert_int_equal(pt0[511] & ~0xfffull, host + 511 * PAGE_SIZE);
	assert_int_equal(pt1[15] & ~0xfffull, host + EPT_LARGE + 15 * PAGE_SIZE);
	assert_int_equal(pt1[16], 0);
}

static void test_tables_take_ept_pages_contiguous_pages(void **state)
{
	(void)state;
	uint64_t root = ept_build(&a, HOST_PA, PAGE_SIZE, true);
	assert_int_equal(a.used, 4);
	const uint64_t *pml4 = (const uint64_t *)(uintptr_t)root;
	assert_int_equal(table(pml4[0]), root + PAGE_SIZE);
}

static void test_rejects_zero_size(void **state)
{
	(void)state;
	assert_int_equal(ept_build(&a, HOST_PA, 0, true), 0);
	assert_int_equal(a.used, 0);
}

static void test_rejects_unaligned_size(void **state)
{
	(void)state;
	assert_int_equal(ept_build(&a, HOST_PA, PAGE_SIZE + 1, true), 0);
	assert_int_equal(ept_build(&a, HOST_PA, 100, true), 0);
	assert_int_equal(a.used, 0);
}

static void test_rejects_size_over_max(void **state)
{
	(void)state;
	assert_int_equal(ept_build(&a, HOST_PA, EPT_MAX_BYTES + PAGE_SIZE, true), 0);
	assert_int_equal(a.used, 0);
}

static void test_out_of_pages_returns_0(void **state)
{
	(void)state;
	assert_int_not_equal(ept_build(&a, HOST_PA, PAGE_SIZE, true), 0);
	assert_int_not_equal(ept_build(&a, HOST_PA, PAGE_SIZE, true), 0);
	assert_int_equal(ept_build(&a, HOST_PA, PAGE_SIZE, true), 0);   /* 8 pages, 4 each */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, pool_setup, pool_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_64k_maps_16_pages_rwx_write_back),
		T(test_one_page_maps_one_page),
		T(test_2mib_without_large_pages_fills_a_page_table),
		T(test_aligned_memory_gets_2mib_pages),
		T(test_unaligned_memory_gets_page_tables),
		T(test_tables_take_ept_pages_contiguous_pages),
		T(test_rejects_zero_size),
		T(test_rejects_unaligned_size),
		T(test_rejects_size_over_max),
		T(test_out_of_pages_returns_0),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
