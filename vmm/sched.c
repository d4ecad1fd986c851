/* Scheduler: pick the next runnable VM, run one slice, repeat. */
#include "sched.h"
#include "exits.h"
#include "trace.h"
#include "fmt.h"

void sched_end_vm(struct sched *s, struct vm *vm, enum vm_state st)
{
	exits_flush_output(vm);
	vm->state = st;
	notify_last(s->n, vm);
	trace_vm(vm->id, "end status=%s why=\"%s\"", st == VM_DONE ? "done" : "stopped", vm->why);
	if (s->release)
		s->release(vm);
}

static const char *outcome_why(enum entry_outcome o)
{
	switch (o) {
	case ENTRY_PREDICTED_FAIL: return "entry refused: the shadow predicts a failure";
	case ENTRY_VMFAIL:         return "entry failed: VMfail";
	case ENTRY_FAILED:         return "entry failed: invalid guest state or MSR loading";
	case ENTRY_REFUSED:        return "entry refused by the notification module";
	case ENTRY_SETUP_FAILED:   return "VMCS set-up failed";
	default:                   return "?";
	}
}

static void trace_exit(struct notify *n, struct vm *vm, uint32_t reason)
{
	uint64_t rip = 0, len = 0;
	(void)notify_read(n, vm, VMCS_guest_rip, &rip);
	unsigned r = reason & 0xffff;
	if (r == EXIT_preemption_timer || r == EXIT_ept_violation || r == EXIT_triple_fault) {
		trace_vm(vm->id, "exit n=%llu reason=%s rip=0x%llx", (unsigned long long)vm->n.entries,
			 exit_reason_name(r), (unsigned long long)rip);
		return;
	}
	(void)notify_read(n, vm, VMCS_exit_instr_len, &len);
	trace_vm(vm->id, "exit n=%llu reason=%s rip=0x%llx len=%llu", (unsigned long long)vm->n.entries,
		 exit_reason_name(r), (unsigned long long)rip, (unsigned long long)len);
}

/* Run vm until its slice ends. */
static void run_slice(struct sched *s, struct vm *vm)
{
	vm->slice_exits = 0;
	if (vm->launch == VMCS_LAUNCHED && s->ptimer)
		(void)notify_write(s->n, vm, VMCS_preemption_timer, s->quantum);
	for (;;) {
		if (s->entries++ >= SCHED_MAX_ENTRIES) {
			fmt(vm->why, sizeof(vm->why), "entry limit %u reached", SCHED_MAX_ENTRIES);
			sched_end_vm(s, vm, VM_STOPPED);
			return;
		}
		struct entry_result r;
		notify_enter(s->n, vm, false, &r);
		if (r.outcome != ENTRY_EXITED) {
			fmt(vm->why, sizeof(vm->why), "%s", outcome_why(r.outcome));
			sched_end_vm(s, vm, VM_STOPPED);
			return;
		}
		vm->n.exits++;
		vm->n.by_reason[r.exit_reason & (EXIT_REASON_LIMIT - 1)]++;
		trace_exit(s->n, vm, r.exit_reason);
		enum exit_action act = exits_handle(s->n, vm, r.exit_reason);
		if (act == ACT_DONE || act == ACT_STOP) {
			sched_end_vm(s, vm, act == ACT_DONE ? VM_DONE : VM_STOPPED);
			return;
		}
		if (act == ACT_YIELD || ++vm->slice_exits >= SCHED_SLICE_EXITS)
			return;
	}
}

void sched_run(struct sched *s)
{
	unsigned next = 0;
	for (;;) {
		struct vm *vm = NULL;
		for (unsigned k = 0; k < s->count && !vm; k++) {
			struct vm *c = &s->vms[(next + k) % s->count];
			if (c->state == VM_RUNNABLE) {
				vm = c;
				next = (unsigned)(c - s->vms) + 1;
			}
		}
		if (!vm)
			return;
		run_slice(s, vm);
	}
}
