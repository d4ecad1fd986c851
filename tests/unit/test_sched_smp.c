/* Several processors' schedulers over the same VMs on the fake CPU, run
 * in turn one slice at a time (each on its own fake processor): pinned
 * (migrate=none), moved on purpose (every:K) and balanced (an idle
 * processor asks, the owner gives). Every VM ends as on one processor, a
 * VMCS is never active on two processors (the fake CPU counts any such
 * VMPTRLD or VMCLEAR as unexpected), each move is a VMCLEAR on the old
 * processor before the VMPTRLD and VMLAUNCH on the new one, and svtrace
 * check accepts the trace. */
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
#include "vmm/migrate.h"
#include "vmm/sched.h"
#include "vmm/fastpath/fastpath.h"
#include "vmm/trace.h"
#include "vmm/vmcs_setup.h"
#include "vmm/shadow/entry_checks.h"
#include "tools/trace/check.h"

#define NCPU 2
#define NVM 3
#define TIMER_EVERY 5               /* a preemption-timer exit every 5: short slices */

static const struct guest_image image = { "t", MODE_PROT32, 64, "test guest", NULL, NULL, GUEST_FLAT };

static struct {
	struct notify n[NCPU];
	struct pmr_cache pmr[NCPU];
	struct host_state host[NCPU];
	struct sched s[NCPU];
	struct sched_world world;
	struct vmx_caps caps;
	struct vm vms[NVM];
	unsigned steps[NVM], len[NVM];
} w;

/* VM i's script: len[i] exits, a timer exit every TIMER_EVERY, CPUIDs
 * otherwise, then HLT. */
static void script_exit(struct guest_regs *regs, struct fake_vmcs *v)
{
	(void)regs;
	unsigned i = (unsigned)(v - fake_cpu.vmcs), k = w.steps[i]++;
	uint32_t reason = k >= w.len[i] ? 12 : k % TIMER_EVERY == TIMER_EVERY - 1 ? 52 : 10;
	*fake_field(v, VMCS_exit_reason) = reason;
	*fake_field(v, VMCS_exit_instr_len) = reason == 52 ? 0 : reason == 12 ? 1 : 2;
}

static void world(const char *migrate, const unsigned len[NVM])
{
	struct migrate_config mc;
	fake_cpu_reset();
	fake_cpu.on_exit = script_exit;
	memset(&w, 0, sizeof(w));
	baseline_caps(&w.caps);
	baseline_host_state(&w.host[0]);
	second_cpu_host(&w.host[1]);
	assert_true(migrate_parse(migrate, (unsigned)strlen(migrate), &mc));
	for (unsigned i = 0; i < NVM; i++) {
		struct vm *vm = &w.vms[i];
		vm->id = i + 1;
		vm->image = &image;
		vm->start = vm_start_flat();
		vm->state = VM_RUNNABLE;
		vm->mem_size = 65536;
		vm->ept_pa = 0x200000 + i * 0x10000;
		vm->vmcs_pa = 0x300000 + i * 0x1000;
		fake_cpu.vmcs[i].pa = vm->vmcs_pa;
		shadow_init(&vm->shadow);
		w.len[i] = len[i];
	}
	migrate_world_init(&w.world, NCPU, &mc, w.vms, NVM);
	for (unsigned c = 0; c < NCPU; c++) {
		struct pmr_config cfg;
		pmr_config_default(&cfg);
		assert_true(pmr_init(&w.pmr[c], &cfg));
		notify_init(&w.n[c], &w.caps, &w.pmr[c], vmcs_setup, &w.host[c]);
		notify_set_cpu(&w.n[c], c, NULL, NULL, vmcs_setup_host_percpu);
		w.s[c] = (struct sched){ .n = &w.n[c], .vms = w.vms, .count = NVM, .w = &w.world, .cpu = c,
					 .quantum = 20000, .ptimer = true };
	}
	forget_trace();
	trace_set_sink(capture);
	trace_set_cpu_source(fake_cpu_this);
	trace_set_detail(true);
	for (unsigned i = 0; i < NVM; i++)
		trace_vm(i + 1, TEV_VM_create, "guest=t mem=64K mode=prot32 entry=0x1000 image=0");
}

/* The processors in turn, a slice each, until every VM has ended. */
static void run_world(void)
{
	for (unsigned round = 0; w.world.live && round < 10000; round++)
		for (unsigned c = 0; c < NCPU; c++) {
			fake_cpu_set_current(c);
			(void)sched_step(&w.s[c]);
		}
	fake_cpu_set_current(0);
	assert_int_equal(w.world.live, 0);
	for (unsigned i = 0; i < NVM; i++)
		if (w.vms[i].state != VM_DONE)
			fail_msg("VM %u ended %d: %s; trace:\n%s", i + 1, w.vms[i].state, w.vms[i].why, trace_buf);
	assert_int_equal(fake_cpu.unexpected, 0);   /* no VMCS active on two processors */
}

/* svtrace check on the captured trace, with the hypervisor's last line. */
static void assert_run_accepted(void)
{
	trace_hv(TEV_HV_halt, "status=ok");
	assert_svtrace_accepts();
}

static int teardown(void **state)
{
	(void)state;
	trace_set_sink(NULL);
	trace_set_cpu_source(NULL);
	trace_set_detail(true);
	return 0;
}

/* migrate=none: VMs 1 and 3 on processor 0, VM 2 on processor 1, nothing
 * moves, both processors enter VMs. */
static void test_pinned(void **state)
{
	(void)state;
	world("none", (const unsigned[NVM]){ 20, 20, 20 });
	run_world();
	assert_int_equal(w.world.moves, 0);
	for (unsigned c = 0; c < NCPU; c++) {
		assert_int_equal(w.n[c].smp.moves_in, 0);
		assert_true(w.pmr[c].vm[c + 1].entries > 0);
	}
	for (unsigned i = 0; i < NVM; i++)
		assert_int_equal(w.vms[i].n.launches, 1);
	assert_run_accepted();
}

/* migrate=every:1: each VM moves after every slice, so each runs on both
 * processors; each move is a VMCLEAR on the old one and a VMLAUNCH with
 * all checks on the new one. */
static void test_every_slice_moves(void **state)
{
	(void)state;
	world("every:1", (const unsigned[NVM]){ 20, 20, 20 });
	run_world();
	assert_true(w.world.moves >= NVM * 3);
	for (unsigned c = 0; c < NCPU; c++)
		assert_true(w.n[c].smp.moves_in > 0);
	for (unsigned i = 0; i < NVM; i++) {
		assert_true(w.vms[i].n.launches > 2);      /* a VMLAUNCH after every move */
		assert_int_equal(w.vms[i].n.checks_full, w.vms[i].n.launches * entry_check_count());
	}
	assert_trace_has("ev=vmclear kind=move status=ok");
	assert_trace_has("ev=move from=0 to=1");
	assert_trace_has("ev=move from=1 to=0");
	assert_run_accepted();
}

/* migrate=balance: VM 2, alone on processor 1, ends early; processor 1 asks
 * for one of processor 0's two VMs and gets it at a slice boundary. */
static void test_balance_takes_from_the_busy_one(void **state)
{
	(void)state;
	world("balance", (const unsigned[NVM]){ 40, 3, 40 });
	run_world();
	assert_true(w.world.moves >= 1);
	assert_true(w.n[1].smp.moves_in >= 1);
	assert_run_accepted();
}

/* The same moves with each processor's own fast path and replay
 * (trace=summary): every exit of a slice handled at the exit, the replay
 * armed on one processor never outlives the slice, and the moves the same
 * as without the fast path. */
static void test_every_slice_moves_on_the_fast_path(void **state)
{
	(void)state;
	static struct fastpath fp[NCPU];
	world("every:1", (const unsigned[NVM]){ 20, 20, 20 });
	trace_set_detail(false);
	for (unsigned c = 0; c < NCPU; c++)
		fastpath_attach_sched(&fp[c], &w.n[c], &w.s[c], true);
	run_world();
	uint64_t moves = w.world.moves;
	assert_true(moves >= NVM * 3);
	assert_true(fp[0].entries > 0 && fp[1].entries > 0);
	/* the slow path moves them alike */
	world("every:1", (const unsigned[NVM]){ 20, 20, 20 });
	trace_set_detail(false);
	run_world();
	assert_int_equal(w.world.moves, moves);
}

static void test_migrate_option(void **state)
{
	(void)state;
	struct migrate_config c;
	char buf[24];
	assert_true(migrate_parse("every:3", 7, &c));
	assert_int_equal(c.kind, MIGRATE_EVERY);
	assert_int_equal(c.every, 3);
	migrate_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "every:3");
	assert_true(migrate_parse("balance", 7, &c));
	assert_int_equal(c.kind, MIGRATE_BALANCE);
	assert_false(migrate_parse("every:0", 7, &c));
	assert_false(migrate_parse("every:", 6, &c));
	assert_false(migrate_parse("every:x", 7, &c));
	assert_false(migrate_parse("sometimes", 9, &c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_pinned, teardown),
		cmocka_unit_test_teardown(test_every_slice_moves, teardown),
		cmocka_unit_test_teardown(test_balance_takes_from_the_busy_one, teardown),
		cmocka_unit_test_teardown(test_every_slice_moves_on_the_fast_path, teardown),
		cmocka_unit_test(test_migrate_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
