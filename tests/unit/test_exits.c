/* The exit handlers (vmm/exits.c) on arch/fake: a VMCALL's number, its
 * arguments and what the guest gets back in RAX; HC_TEST_VMWRITE only with
 * test hypercalls on (testhc=on), else -1 like any unknown number; CPUID
 * without VMX and with the hypervisor bit; RIP past the instruction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "tests/unit/baseline.h"
#include "tests/unit/trace_capture.h"
#include "arch/fake/fake_cpu.h"
#include "vmm/exits.h"
#include "vmm/hypercall.h"
#include "vmm/notify.h"
#include "vmm/trace.h"
#include "vmm/vmcs_setup.h"

static const struct guest_image image = { "t", MODE_PROT32, 64, "test guest", NULL, NULL, GUEST_FLAT };

static struct {
	struct notify n;
	struct pmr_cache pmr;
	struct vmx_caps caps;
	struct host_state host;
	struct vm vm;
} w;

/* Every exit a VMCALL of 3 bytes at RIP 0x1000. */
static void vmcall_exit(struct guest_regs *regs, struct fake_vmcs *v)
{
	(void)regs;
	*fake_field(v, VMCS_exit_reason) = EXIT_vmcall;
	*fake_field(v, VMCS_exit_instr_len) = 3;
	*fake_field(v, VMCS_guest_rip) = 0x1000;
}

/* A VM that has entered once and sits at its VM exit. */
static int world_setup(void **state)
{
	(void)state;
	memset(&w, 0, sizeof(w));
	fake_cpu_reset();
	fake_cpu.on_exit = vmcall_exit;
	baseline_caps(&w.caps);
	struct pmr_config cfg;
	pmr_config_default(&cfg);
	assert_true(pmr_init(&w.pmr, &cfg));
	baseline_host_state(&w.host);
	notify_init(&w.n, &w.caps, &w.pmr, vmcs_setup, &w.host);
	w.vm.id = 1;
	w.vm.image = &image;
	w.vm.start = vm_start_flat();
	w.vm.mem_size = 65536;
	w.vm.ept_pa = 0x200000;
	w.vm.vmcs_pa = 0x300000;
	shadow_init(&w.vm.shadow);
	forget_trace();
	trace_set_sink(capture);
	struct entry_result r;
	notify_enter(&w.n, &w.vm, false, &r);
	assert_int_equal(r.outcome, ENTRY_EXITED);
	return 0;
}

static int world_teardown(void **state)
{
	assert_int_equal(fake_cpu.unexpected, 0);
	(void)state;
	trace_set_sink(NULL);
	return 0;
}

static enum exit_action vmcall(uint64_t nr, uint64_t b, uint64_t c)
{
	w.vm.regs.rax = nr;
	w.vm.regs.rbx = b;
	w.vm.regs.rcx = c;
	forget_trace();
	return exits_handle(&w.n, &w.vm, EXIT_vmcall);
}

static uint64_t guest_rip(void)
{
	uint64_t rip = 0;
	assert_true(notify_read(&w.n, &w.vm, VMCS_guest_rip, &rip));
	return rip;
}

static void test_vmid_returns_the_vm_id_and_moves_past_the_vmcall(void **state)
{
	(void)state;
	assert_int_equal(vmcall(HC_VMID, 0, 0), ACT_CONTINUE);
	assert_int_equal(w.vm.regs.rax, 1);
	assert_int_equal(guest_rip(), 0x1003);
	assert_trace_has("vm=1 ev=hypercall nr=3 name=vmid ret=0x1");
}

static void test_unknown_number_gets_enosys(void **state)
{
	(void)state;
	assert_int_equal(vmcall(77, 0, 0), ACT_CONTINUE);
	assert_int_equal(w.vm.regs.rax, HC_ENOSYS);
	assert_trace_has("name=unknown ret=0xffffffffffffffff");
}

static void test_test_vmwrite_is_unknown_without_testhc(void **state)
{
	(void)state;
	uint64_t before = shadow_get(&w.vm.shadow, VMCS_guest_rflags);
	assert_int_equal(vmcall(HC_TEST_VMWRITE, vmcs_field_encoding(VMCS_guest_rflags), 0), ACT_CONTINUE);
	assert_int_equal(w.vm.regs.rax, HC_ENOSYS);
	assert_trace_has("nr=256 name=unknown ret=0xffffffffffffffff");
	assert_int_equal(shadow_get(&w.vm.shadow, VMCS_guest_rflags), before);
}

static void test_test_vmwrite_writes_a_guest_field_with_testhc(void **state)
{
	(void)state;
	w.vm.test_hypercalls = true;
	assert_int_equal(vmcall(HC_TEST_VMWRITE, vmcs_field_encoding(VMCS_guest_rflags), 0x202), ACT_CONTINUE);
	assert_int_equal(w.vm.regs.rax, HC_OK);
	assert_trace_has("nr=256 name=test_vmwrite ret=0x0");
	assert_int_equal(shadow_get(&w.vm.shadow, VMCS_guest_rflags), 0x202);
	assert_true(shadow_dirty(&w.vm.shadow, VMCS_guest_rflags));
}

static void test_test_vmwrite_refuses_a_host_field(void **state)
{
	(void)state;
	w.vm.test_hypercalls = true;
	assert_int_equal(vmcall(HC_TEST_VMWRITE, vmcs_field_encoding(VMCS_host_rip), 0), ACT_CONTINUE);
	assert_int_equal(w.vm.regs.rax, HC_EINVAL);
}

static void test_exit_and_yield_end_the_slice(void **state)
{
	(void)state;
	assert_int_equal(vmcall(HC_YIELD, 0, 0), ACT_YIELD);
	assert_int_equal(vmcall(HC_EXIT, 0, 0), ACT_DONE);
	assert_int_equal(vmcall(HC_EXIT, 5, 0), ACT_STOP);
	assert_string_equal(w.vm.why, "exit code=5");
}

static void test_cpuid_hides_vmx_and_shows_a_hypervisor(void **state)
{
	(void)state;
	w.vm.regs.rax = 1;
	w.vm.regs.rcx = 0;
	*fake_field(fake_cpu.current, VMCS_exit_reason) = EXIT_cpuid;
	*fake_field(fake_cpu.current, VMCS_exit_instr_len) = 2;
	assert_int_equal(exits_handle(&w.n, &w.vm, EXIT_cpuid), ACT_CONTINUE);
	assert_int_equal(w.vm.regs.rcx & (1u << 5), 0);
	assert_int_not_equal(w.vm.regs.rcx & (1u << 31), 0);
	assert_int_equal(guest_rip(), 0x1002);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, world_setup, world_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vmid_returns_the_vm_id_and_moves_past_the_vmcall),
		T(test_unknown_number_gets_enosys),
		T(test_test_vmwrite_is_unknown_without_testhc),
		T(test_test_vmwrite_writes_a_guest_field_with_testhc),
		T(test_test_vmwrite_refuses_a_host_field),
		T(test_exit_and_yield_end_the_slice),
		T(test_cpuid_hides_vmx_and_shows_a_hypervisor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
