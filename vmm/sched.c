/* Scheduler: pick the next runnable VM, run one slice, repeat. */
#include "vmm/sched.h"
#include "vmm/migrate.h"
#include "arch/x86/cpu.h"
#include "vmm/shadow/entry_checks.h"
#include "vmm/exits.h"
#include "vmm/trace.h"
#include "vmm/fmt.h"
#include "vmm/pc/pc.h"

/* A PC guest's platform counters, at its end. */
static void pc_report(struct vm *vm)
{
	const struct pc_counters *c = &vm->pc.n;
	devices_flush(&vm->pc.dev);
	trace_vm(vm->id, TEV_VM_pc, "irqs=%llu halts=%llu windows=%llu msr_reads=%llu msr_writes=%llu msr_gp=%llu "
		 "cr_writes=%llu", (unsigned long long)c->irqs, (unsigned long long)c->halts,
		 (unsigned long long)c->windows, (unsigned long long)c->msr_reads, (unsigned long long)c->msr_writes,
		 (unsigned long long)c->msr_gp, (unsigned long long)c->cr_writes);
}

void sched_end_vm(struct sched *s, struct vm *vm, enum vm_state st)
{
	if (vm->pc_on)
		pc_report(vm);
	exits_flush_output(vm);
	exits_report_dropped(vm);
	vm->state = st;
	notify_last(s->n, vm);
	trace_vm(vm->id, TEV_VM_end, "status=%s why=\"%s\"", st == VM_DONE ? "done" : "stopped", vm->why);
	if (s->w)
		spin_lock(&s->w->lock);     /* the page pool is shared */
	if (s->release)
		s->release(vm);
	if (s->w) {
		s->w->live--;
		spin_unlock(&s->w->lock);
	}
}

/* Why an entry did not happen, in words. A predicted failure names the
 * check, its SDM section, the offending field and its value. */
static void outcome_why(const struct entry_result *r, char *buf, size_t size)
{
	const struct verdict *p = &r->predicted;
	char verdict[32];
	switch (r->outcome) {
	case ENTRY_PREDICTED_FAIL:
		verdict_format(p, verdict, sizeof(verdict));
		if (!p->check) {
			fmt(buf, size, "shadow predicts %s", verdict);
			return;
		}
		fmt(buf, size, "check=%s sdm=%s field=%s value=0x%llx verdict=%s", p->check->id, p->check->sdm,
		    p->field == VMCS_FIELD_NONE ? "none" : vmcs_field_name(p->field),
		    (unsigned long long)p->value, verdict);
		return;
	case ENTRY_VMFAIL:         fmt(buf, size, "entry failed: VMfail"); return;
	case ENTRY_FAILED:         fmt(buf, size, "entry failed: invalid guest state or MSR loading"); return;
	case ENTRY_REFUSED:        fmt(buf, size, "entry refused by the notification module"); return;
	case ENTRY_SETUP_FAILED:   fmt(buf, size, "VMCS set-up failed"); return;
	default:                   fmt(buf, size, "?"); return;
	}
}

void sched_trace_exit(struct notify *n, struct vm *vm, uint32_t reason)
{
	uint64_t rip = 0, len = 0, tsc = vmx_now();
	(void)notify_read(n, vm, VMCS_guest_rip, &rip);
	unsigned r = reason & 0xffff;
	if (r == EXIT_ept_violation) {
		uint64_t q = 0;
		(void)notify_read(n, vm, VMCS_exit_qualification, &q);
		trace_vm(vm->id, TEV_VM_exit, "n=%llu reason=%s rip=0x%llx qual=0x%llx tsc=%llu",
			 (unsigned long long)vm->n.entries, exit_reason_name(r), (unsigned long long)rip,
			 (unsigned long long)q, (unsigned long long)tsc);
		return;
	}
	/* No instruction caused these: no length. */
	if (r == EXIT_preemption_timer || r == EXIT_triple_fault || r == EXIT_exception_nmi) {
		trace_vm(vm->id, TEV_VM_exit, "n=%llu reason=%s rip=0x%llx tsc=%llu", (unsigned long long)vm->n.entries,
			 exit_reason_name(r), (unsigned long long)rip, (unsigned long long)tsc);
		return;
	}
	(void)notify_read(n, vm, VMCS_exit_instr_len, &len);
	trace_vm(vm->id, TEV_VM_exit, "n=%llu reason=%s rip=0x%llx len=%llu tsc=%llu", (unsigned long long)vm->n.entries,
		 exit_reason_name(r), (unsigned long long)rip, (unsigned long long)len, (unsigned long long)tsc);
}

/* Count and handle one VM exit. */
static enum exit_action on_exit(struct sched *s, struct vm *vm, uint32_t reason)
{
	sched_count_exit(s, vm, reason);
	return sched_slice_end(s, vm, exits_handle(s->n, vm, reason));
}

/* Run vm until its slice ends; others: another VM is runnable. */
static void run_slice(struct sched *s, struct vm *vm, bool others)
{
	uint32_t budget = vm->pc_on ? SCHED_PC_SLICES : SCHED_VM_SLICES;
	if (vm->slices >= budget) {
		fmt(vm->why, sizeof(vm->why), "cpu budget exhausted: %u slices", budget);
		sched_end_vm(s, vm, VM_STOPPED);
		return;
	}
	vm->slices++;
	if (vm->pc_on) {
		vm->pc.wake_tsc = 0;
		pc_msrs_enter(vm, s->cpu);
	}
	vm->slice_exits = 0;
	s->slice_max = others ? SCHED_SLICE_EXITS : SCHED_SLICE_ALONE;
	/* a new slice's timer; a VM cleared for a move keeps its set-up, so it
	 * needs the write too (done after its VMPTRLD on the new processor) */
	uint32_t timer = vm->pc_on && !others ? pc_slice_timer(vm, s->quantum, s->n->caps->misc) : s->quantum;
	if (s->ptimer && (vm->launch == VMCS_LAUNCHED || vm->setup_done))
		(void)notify_write(s->n, vm, VMCS_preemption_timer, timer);
	for (;;) {
		if (!sched_entry_budget(s, vm)) {
			sched_end_vm(s, vm, VM_STOPPED);
			return;
		}
		struct entry_result r;
		notify_enter(s->n, vm, false, &r);
		enum exit_action act;
		if (r.handled) {
			act = (enum exit_action)r.act;      /* the fast path handled the last exit */
		} else if (r.outcome != ENTRY_EXITED) {
			outcome_why(&r, vm->why, sizeof(vm->why));
			sched_end_vm(s, vm, VM_STOPPED);
			return;
		} else {
			act = on_exit(s, vm, r.exit_reason);
		}
		if (act == ACT_DONE || act == ACT_STOP) {
			sched_end_vm(s, vm, act == ACT_DONE ? VM_DONE : VM_STOPPED);
			return;
		}
		if (act == ACT_YIELD)
			return;
	}
}

/* The next runnable VM this processor owns, round robin; *others: another
 * of them is runnable too; *wake: when the first of those halted (a PC
 * guest's HLT) can run, UINT64_MAX if none is. */
static struct vm *pick(struct sched *s, bool *others, uint64_t *wake)
{
	struct vm *vm = NULL;
	unsigned runnable = 0;
	uint64_t now = vmx_now();
	*wake = UINT64_MAX;
	for (unsigned k = 0; k < s->count; k++) {
		struct vm *c = &s->vms[(s->next + k) % s->count];
		if (c->state != VM_RUNNABLE || (s->w && c->owner != s->cpu))
			continue;
		if (pc_asleep(c, now)) {
			if (c->pc.wake_tsc < *wake)
				*wake = c->pc.wake_tsc;
			continue;
		}
		runnable++;
		if (!vm)
			vm = c;
	}
	if (vm)
		s->next = (unsigned)(vm - s->vms) + 1;
	*others = runnable > 1;
	return vm;
}

/* Every VM here halted: wait for the first one's timer. */
static void sleep_until(uint64_t wake)
{
	while (vmx_now() < wake)
		cpu_relax();
}

bool sched_step(struct sched *s)
{
	bool others;
	struct vm *vm;
	uint64_t wake;
	if (!s->w) {
		vm = pick(s, &others, &wake);
	} else {
		spin_lock(&s->w->lock);
		migrate_give_wanted(s);
		vm = pick(s, &others, &wake);
		if (!vm && wake == UINT64_MAX)
			migrate_ask(s);
		spin_unlock(&s->w->lock);
	}
	if (!vm && wake != UINT64_MAX) {
		sleep_until(wake);
		return true;
	}
	if (!vm)
		return false;
	run_slice(s, vm, others);
	migrate_after_slice(s, vm);
	return true;
}

/* Does this processor own a runnable VM? Read without the lock: a hint
 * that taking it is worth it. */
static bool work_here(const struct sched *s)
{
	for (unsigned k = 0; k < s->count; k++) {
		const struct vm *vm = &s->vms[k];
		if (__atomic_load_n(&vm->owner, __ATOMIC_ACQUIRE) == s->cpu &&
		    __atomic_load_n(&vm->state, __ATOMIC_RELAXED) == VM_RUNNABLE)
			return true;
	}
	return false;
}

void sched_run(struct sched *s)
{
	for (;;) {
		if (sched_step(s))
			continue;
		struct sched_world *w = s->w;
		/* Pinned, nothing of its own left: nothing will come. */
		if (!w || !w->live || w->mig.kind == MIGRATE_NONE)
			return;
		/* Another processor may give it a VM. Wait without the lock: one
		 * that takes it in a loop starves those that would give. */
		for (unsigned n = 0; n < SCHED_IDLE_SPINS && w->live && !work_here(s); n++)
			cpu_relax();
	}
}
