/* VMs that move between logical processors on the fake CPU: one notify and
 * one cache model per processor, the move protocol (VMCLEAR on the old
 * processor, then VMPTRLD, the per-processor host state and VMLAUNCH on
 * the new one), the refusal of a VMPTRLD of a VMCS still active elsewhere
 * (SDM Vol. 3C 25.11.1), and the cache model's per-processor counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "tests/unit/baseline.h"
#include "tests/unit/trace_capture.h"
#include "tests/unit/smp_fixture.h"
#include "arch/fake/fake_cpu.h"
#include "vmm/notify.h"
#include "vmm/trace.h"
#include "vmm/vmcs_setup.h"
#include "tools/trace/check.h"

#define EXIT_CPUID 10
#define NCPU 2

static const struct guest_image image = { "t", MODE_PROT32, 64, "test guest", NULL, NULL, GUEST_FLAT };

static struct {
	struct notify n[NCPU];
	struct pmr_cache pmr[NCPU];
	struct host_state host[NCPU];
	struct vmx_caps caps;
	struct vm vm;
} w;

static void cpuid_exit(struct guest_regs *regs, struct fake_vmcs *v)
{
	(void)regs;
	*fake_field(v, VMCS_exit_reason) = EXIT_CPUID;
}

/* The unit tests' notify_ask_clear_fn: the other processor's notify is
 * called at once, on that fake processor, as the product's IPI handler
 * would; then the asking processor goes on. */
static bool ask_clear_direct(void *ctx, unsigned cpu, struct vm *vm)
{
	(void)ctx;
	unsigned me = fake_cpu_this();
	fake_cpu_set_current(cpu);
	bool ok = notify_release(&w.n[cpu], vm);
	fake_cpu_set_current(me);
	return ok;
}

static int world_setup(void **state)
{
	(void)state;
	fake_cpu_reset();
	fake_cpu.on_exit = cpuid_exit;
	memset(&w, 0, sizeof(w));
	baseline_caps(&w.caps);
	baseline_host_state(&w.host[0]);
	second_cpu_host(&w.host[1]);
	for (unsigned c = 0; c < NCPU; c++) {
		struct pmr_config cfg;
		pmr_config_default(&cfg);
		assert_true(pmr_init(&w.pmr[c], &cfg));
		notify_init(&w.n[c], &w.caps, &w.pmr[c], vmcs_setup, &w.host[c]);
		notify_set_cpu(&w.n[c], c, ask_clear_direct, NULL, vmcs_setup_host_percpu);
	}
	w.vm.id = 1;
	w.vm.image = &image;
	w.vm.start = vm_start_flat();
	w.vm.mem_size = 65536;
	w.vm.ept_pa = 0x200000;
	w.vm.vmcs_pa = 0x300000;
	shadow_init(&w.vm.shadow);
	forget_trace();
	trace_set_sink(capture);
	trace_set_cpu_source(fake_cpu_this);
	return 0;
}

static int world_teardown(void **state)
{
	(void)state;
	assert_int_equal(fake_cpu.unexpected, 0);   /* no VMCS active on two processors */
	trace_set_sink(NULL);
	trace_set_cpu_source(NULL);
	return 0;
}

/* Enter the VM on processor cpu and insist that the guest ran. */
static void enter_on(unsigned cpu, struct entry_result *r)
{
	fake_cpu_set_current(cpu);
	notify_enter(&w.n[cpu], &w.vm, false, r);
	if (r->outcome != ENTRY_EXITED)
		fail_msg("entry on cpu %u: outcome %d; trace:\n%s", cpu, r->outcome, trace_buf);
}

/* Launched and resumed on processor 0, then the log forgotten. */
static void run_on_cpu0(void)
{
	struct entry_result r;
	enter_on(0, &r);
	enter_on(0, &r);
	assert_int_equal(r.insn, INSN_VMRESUME);
	fake_forget_calls();
	forget_trace();
}

static int logged_on(enum fake_insn insn, unsigned cpu, unsigned from)
{
	for (int i = fake_find_call(insn, from); i >= 0; i = fake_find_call(insn, (unsigned)i + 1))
		if (fake_cpu.log[i].cpu == cpu)
			return i;
	return -1;
}

static void assert_host_write_on(unsigned cpu, enum vmcs_field f, uint64_t v)
{
	for (unsigned i = 0; i < fake_cpu.nlog; i++)
		if (fake_cpu.log[i].insn == F_VMWRITE && fake_cpu.log[i].cpu == cpu &&
		    fake_cpu.log[i].arg == vmcs_field_encoding(f) && fake_cpu.log[i].value == v)
			return;
	fail_msg("no VMWRITE of %s = 0x%llx on cpu %u", vmcs_field_name(f), (unsigned long long)v, cpu);
}

static void test_move_is_vmclear_on_old_cpu_then_vmptrld_and_vmlaunch_on_new(void **state)
{
	(void)state;
	run_on_cpu0();
	uint64_t full = w.vm.n.checks_full;
	struct entry_result r;
	enter_on(1, &r);
	assert_int_equal(r.insn, INSN_VMLAUNCH);
	assert_int_equal(r.predicted.kind, VERDICT_OK);
	int clear = logged_on(F_VMCLEAR, 0, 0);
	int load = logged_on(F_VMPTRLD, 1, 0);
	int launch = logged_on(F_VMLAUNCH, 1, 0);
	assert_true(clear >= 0 && load > clear && launch > load);
	assert_int_equal(fake_count_calls(F_VMCLEAR), 1);
	assert_int_equal(fake_count_calls(F_VMPTRLD), 1);
	assert_int_equal(fake_count_calls(F_VMRESUME), 0);
	assert_int_equal(fake_count_calls_on(F_VMWRITE, 0), 0);
	assert_host_write_on(1, VMCS_host_gs_base, 0x90000);
	assert_host_write_on(1, VMCS_host_gdtr_base, w.host[1].gdt_base);
	assert_host_write_on(1, VMCS_host_rsp, w.host[1].rsp);
	/* Full validation, as at the first launch. */
	assert_int_equal(w.vm.n.checks_full, 2 * full);
	assert_int_equal(w.vm.n.launches, 2);
	assert_false(fake_active_on(w.vm.vmcs_pa, 0));
	assert_true(fake_active_on(w.vm.vmcs_pa, 1));
	assert_null(fake_current_of(0));
	assert_null(notify_current(&w.n[0]));
	assert_ptr_equal(notify_current(&w.n[1]), &w.vm);
	assert_int_equal(w.n[0].smp.moves_out, 1);
	assert_int_equal(w.n[1].smp.moves_in, 1);
	assert_trace_has("vm=1 ev=vmclear kind=move status=ok pmr=flush,free cpu=0\n");
	assert_trace_has("vm=1 ev=move from=0 to=1 cpu=1\nvm=1 ev=vmptrld why=move status=ok cpu=1\n");
	assert_trace_has("vm=1 ev=entry n=3 kind=moved insn=vmlaunch checks=all ");
	/* Then it resumes there, with no VMPTRLD. */
	fake_forget_calls();
	enter_on(1, &r);
	assert_int_equal(r.insn, INSN_VMRESUME);
	assert_int_equal(fake_count_calls(F_VMPTRLD), 0);
	assert_trace_has("vm=1 ev=entry n=4 kind=subsequent insn=vmresume");
}

/* A write asked for on the new processor before the move (the VMCS not
 * current there) is issued there after the VMPTRLD, and checked with the
 * rest at the VMLAUNCH. */
static void test_write_deferred_on_new_cpu_is_issued_after_the_move(void **state)
{
	(void)state;
	run_on_cpu0();
	fake_cpu_set_current(1);
	assert_true(notify_write(&w.n[1], &w.vm, VMCS_guest_rip, 0x1234));
	assert_int_equal(fake_cpu.nlog, 0);   /* deferred: nothing issued yet */
	struct entry_result r;
	enter_on(1, &r);
	assert_int_equal(r.insn, INSN_VMLAUNCH);
	int load = logged_on(F_VMPTRLD, 1, 0);
	assert_true(load >= 0);
	for (unsigned i = (unsigned)load; i < fake_cpu.nlog; i++)
		if (fake_cpu.log[i].insn == F_VMWRITE && fake_cpu.log[i].arg == vmcs_field_encoding(VMCS_guest_rip)) {
			assert_int_equal(fake_cpu.log[i].cpu, 1);
			assert_int_equal(fake_cpu.log[i].value, 0x1234);
			return;
		}
	fail_msg("no VMWRITE of guest_rip on cpu 1 after the VMPTRLD");
}

static void test_vmptrld_of_vmcs_active_on_another_cpu_is_refused(void **state)
{
	(void)state;
	run_on_cpu0();
	notify_set_cpu(&w.n[1], 1, NULL, NULL, vmcs_setup_host_percpu);   /* no way to ask */
	fake_cpu_set_current(1);
	struct entry_result r;
	notify_enter(&w.n[1], &w.vm, false, &r);
	assert_int_equal(r.outcome, ENTRY_REFUSED);
	assert_int_equal(fake_cpu.nlog, 0);   /* no VMPTRLD, nothing at all */
	assert_trace_has("vm=1 ev=refuse insn=vmptrld why=\"vmcs active on cpu 0: VMCLEAR it there first\" "
			 "sdm=25.11.1 cpu=1\n");
	assert_false(notify_prepare(&w.n[1], &w.vm));
	assert_int_equal(fake_cpu.nlog, 0);
	/* It still runs where it is active. */
	enter_on(0, &r);
	assert_int_equal(r.insn, INSN_VMRESUME);
	assert_true(fake_active_on(w.vm.vmcs_pa, 0));
}

static void test_release_on_old_cpu_lets_the_new_one_launch(void **state)
{
	(void)state;
	run_on_cpu0();
	notify_set_cpu(&w.n[1], 1, NULL, NULL, vmcs_setup_host_percpu);
	fake_cpu_set_current(0);
	assert_true(notify_release(&w.n[0], &w.vm));
	struct entry_result r;
	enter_on(1, &r);
	assert_int_equal(r.insn, INSN_VMLAUNCH);
	assert_trace_has("vm=1 ev=move from=0 to=1 cpu=1\n");
	assert_trace_has("kind=moved insn=vmlaunch");
	/* A release by a processor the VMCS is not active on does nothing. */
	fake_cpu_set_current(0);
	assert_false(notify_release(&w.n[0], &w.vm));
	assert_int_equal(fake_count_calls_on(F_VMCLEAR, 0), 1);
}

static void test_last_vmclear_is_refused_on_another_cpu(void **state)
{
	(void)state;
	run_on_cpu0();
	fake_cpu_set_current(1);
	assert_false(notify_last(&w.n[1], &w.vm));
	assert_int_equal(fake_cpu.nlog, 0);
	assert_false(w.vm.dead);
	fake_cpu_set_current(0);
	assert_true(notify_last(&w.n[0], &w.vm));
}

static void test_cache_model_counts_a_move_as_flush_on_old_and_miss_on_new(void **state)
{
	(void)state;
	run_on_cpu0();
	const struct pmr_counters *c0 = pmr_total(&w.pmr[0]);
	assert_int_equal(c0->misses, 1);   /* the launch */
	assert_int_equal(c0->hits, 1);
	assert_int_equal(c0->flushes, 0);
	struct entry_result r;
	enter_on(1, &r);
	c0 = pmr_total(&w.pmr[0]);
	assert_int_equal(c0->flushes, 1);
	assert_int_equal(pmr_slot_of(&w.pmr[0], 1), -1);
	const struct pmr_counters *c1 = pmr_total(&w.pmr[1]);
	assert_int_equal(c1->misses, 1);
	assert_int_equal(c1->hits, 0);
	assert_true(pmr_slot_of(&w.pmr[1], 1) >= 0);
	assert_trace_has("pmr=miss load=");
	enter_on(1, &r);
	assert_int_equal(pmr_total(&w.pmr[1])->hits, 1);
	/* Each processor's entries are its cache's hits and misses. */
	assert_int_equal(pmr_total(&w.pmr[0])->hits + pmr_total(&w.pmr[0])->misses, 2);
	assert_int_equal(pmr_total(&w.pmr[1])->hits + pmr_total(&w.pmr[1])->misses, 2);
	assert_int_equal(w.vm.n.entries, 4);
}

static void test_fake_cpu_counts_vmptrld_of_vmcs_active_elsewhere(void **state)
{
	(void)state;
	fake_cpu_set_current(0);
	assert_int_equal(vmx_ptrld(0x300000).status, VMX_OK);
	fake_cpu_set_current(1);
	assert_null(fake_cpu.current);
	assert_int_equal(vmx_ptrld(0x300000).status, VMX_OK);
	assert_int_equal(fake_cpu.unexpected, 1);
	assert_int_equal(vmx_clear(0x300000).status, VMX_OK);   /* not its to clear */
	assert_int_equal(fake_cpu.unexpected, 2);
	fake_cpu_set_current(0);
	assert_non_null(fake_cpu.current);
	assert_int_equal(vmx_clear(0x300000).status, VMX_OK);
	assert_int_equal(fake_cpu.unexpected, 2);
	fake_cpu.unexpected = 0;
}

/* The trace of a move, as the emitter prints it, read by svtrace check:
 * the VM's create and end and the halt are printed here, the rest by
 * notify on the two processors. */
static void test_move_trace_passes_svtrace_check(void **state)
{
	(void)state;
	trace_vm(1, TEV_VM_create, "guest=t mem=64K mode=prot32 entry=0x1000 image=0");
	struct entry_result r;
	enter_on(0, &r);
	enter_on(0, &r);
	enter_on(1, &r);
	enter_on(1, &r);
	assert_true(notify_last(&w.n[1], &w.vm));
	trace_vm(1, TEV_VM_end, "status=done");
	trace_hv(TEV_HV_halt, "status=ok");
	assert_svtrace_accepts();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_move_is_vmclear_on_old_cpu_then_vmptrld_and_vmlaunch_on_new,
						world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_write_deferred_on_new_cpu_is_issued_after_the_move,
						world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_vmptrld_of_vmcs_active_on_another_cpu_is_refused,
						world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_release_on_old_cpu_lets_the_new_one_launch,
						world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_last_vmclear_is_refused_on_another_cpu,
						world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_cache_model_counts_a_move_as_flush_on_old_and_miss_on_new,
						world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_fake_cpu_counts_vmptrld_of_vmcs_active_elsewhere,
						world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_move_trace_passes_svtrace_check, world_setup, world_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
