/* A cmocka fixture shared by the allocator and EPT tests: POOL_PAGES pages
 * of host memory, filled with 0xa5 (so zeroing shows), used as an
 * identity-mapped pool by pagealloc `a`. Include after <cmocka.h>. */
#ifndef TESTS_UNIT_POOL_FIXTURE_H
#define TESTS_UNIT_POOL_FIXTURE_H
#include <stdlib.h>
#include <string.h>
#include "vmm/pagealloc.h"

#define POOL_PAGES 8

static struct pagealloc a;
static uint8_t *pool;

static int pool_setup(void **state)
{
	(void)state;
	pool = aligned_alloc(PAGE_SIZE, POOL_PAGES * PAGE_SIZE);
	assert_non_null(pool);
	memset(pool, 0xa5, POOL_PAGES * PAGE_SIZE);
	pagealloc_init(&a, (uint64_t)(uintptr_t)pool, POOL_PAGES * PAGE_SIZE);
	return 0;
}

static int pool_teardown(void **state)
{
	(void)state;
	free(pool);
	return 0;
}

#endif
