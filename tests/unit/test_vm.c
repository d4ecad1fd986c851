/* Making and unmaking a VM (vmm/vm.c) on arch/fake, over a pool of host
 * memory: the image copied to guest-physical 0x1000, the revision id at
 * the start of the VMCS region, a long64 guest's page tables, the create
 * line, every page back at the end, and the errors a VM that cannot be
 * made gets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "tests/unit/baseline.h"
#include "arch/fake/fake_cpu.h"
#include "tests/unit/trace_capture.h"
#include "vmm/ept.h"
#include "vmm/pagealloc.h"
#include "vmm/trace.h"
#include "vmm/vm.h"

#define POOL_PAGES 64

static const uint8_t blob[] = { 0x0f, 0xa2, 0xf4 };   /* cpuid; hlt */
static const struct guest_image prot32 = { "t32", MODE_PROT32, 64, "", blob, blob + sizeof(blob), GUEST_FLAT };
static const struct guest_image long64 = { "t64", MODE_LONG64, 64, "", blob, blob + sizeof(blob), GUEST_FLAT };
static const struct guest_image huge = { "big", MODE_PROT32, 1024, "", blob, blob + sizeof(blob), GUEST_FLAT };

static struct {
	uint8_t *mem;
	struct pagealloc pool;
	struct vmx_caps caps;
	struct vm_env env;
	struct vm vm;
} w;

static int setup(void **state)
{
	(void)state;
	memset(&w, 0, sizeof(w));
	fake_cpu_reset();
	w.mem = aligned_alloc(PAGE_SIZE, POOL_PAGES * PAGE_SIZE);
	assert_non_null(w.mem);
	pagealloc_init(&w.pool, (uint64_t)(uintptr_t)w.mem, POOL_PAGES * PAGE_SIZE);
	baseline_caps(&w.caps);
	w.env = (struct vm_env){ &w.pool, &w.caps, false, NULL, 0 };
	forget_trace();
	trace_set_sink(capture);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	trace_set_sink(NULL);
	free(w.mem);
	return 0;
}

static void test_create_copies_the_image_and_writes_the_revision_id(void **state)
{
	(void)state;
	assert_null(vm_create(&w.vm, 4, &prot32, 0, &w.env));
	assert_int_equal(w.vm.id, 4);
	assert_int_equal(w.vm.mem_size, 64 * 1024);
	assert_memory_equal((const void *)(uintptr_t)(w.vm.mem_pa + 0x1000), blob, sizeof(blob));
	assert_int_equal(*(const uint32_t *)(uintptr_t)w.vm.vmcs_pa, vmx_revision_id(&w.caps));
	assert_int_not_equal(w.vm.ept_pa, 0);
	assert_false(w.vm.test_hypercalls);
	assert_trace_has("vm=4 ev=create guest=t32 mem=64K mode=prot32 entry=0x1000 image=3");
}

static void test_build_prints_nothing_and_passes_testhc_on(void **state)
{
	(void)state;
	w.env.test_hypercalls = true;
	assert_null(vm_build(&w.vm, 1, &prot32, 0, &w.env));
	assert_true(w.vm.test_hypercalls);
	assert_int_equal(trace_len, 0);
}

static void test_long64_guest_gets_page_tables_mapping_low_and_high(void **state)
{
	(void)state;
	assert_null(vm_create(&w.vm, 1, &long64, 0, &w.env));
	const uint64_t *pml4 = (const uint64_t *)(uintptr_t)(w.vm.mem_pa + guest_tables_gpa(w.vm.mem_size));
	assert_int_not_equal(pml4[0] & 1, 0);
	assert_int_equal(pml4[(GUEST_HIGH_ALIAS >> 39) & 511], pml4[0]);
	assert_trace_has("mode=long64");
}

static void test_long64_without_the_entry_control_is_refused(void **state)
{
	(void)state;
	w.caps.entry.may_be_1 &= ~ENTRY_IA32E_GUEST;
	unsigned used = w.pool.used;
	const char *err = vm_create(&w.vm, 1, &long64, 0, &w.env);
	assert_int_equal(w.pool.used, used);
	assert_non_null(err);
	assert_non_null(strstr(err, "64-bit guests"));
	assert_trace_lacks("ev=create");
}

static void test_a_guest_larger_than_the_pool_is_refused(void **state)
{
	(void)state;
	unsigned used = w.pool.used;
	const char *err = vm_create(&w.vm, 1, &huge, 0, &w.env);
	assert_non_null(err);
	assert_non_null(strstr(err, "out of memory"));
	assert_int_equal(w.pool.used, used);        /* what it got went back */
}

static void test_release_gives_every_page_back(void **state)
{
	(void)state;
	unsigned used = w.pool.used;
	assert_null(vm_create(&w.vm, 1, &prot32, 0, &w.env));
	assert_int_equal(w.pool.used, used + 16 + 1 + 4);   /* PML4, PDPT, PD, one page table */
	vm_release(&w.vm, &w.pool);
	assert_int_equal(w.pool.used, used);
	assert_int_equal(w.vm.mem_pa | w.vm.ept_pa | w.vm.vmcs_pa, 0);
	assert_int_equal(fake_cpu.count[F_INVEPT], 1);   /* its EPT's translations go first */
	vm_release(&w.vm, &w.pool);            /* twice: nothing more to give */
	assert_int_equal(w.pool.used, used);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_copies_the_image_and_writes_the_revision_id),
		T(test_build_prints_nothing_and_passes_testhc_on),
		T(test_long64_guest_gets_page_tables_mapping_low_and_high),
		T(test_long64_without_the_entry_control_is_refused),
		T(test_a_guest_larger_than_the_pool_is_refused),
		T(test_release_gives_every_page_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
