/* Scheduler: pick the next runnable VM, run one slice, repeat. */
#include "sched.h"
#include "exits.h"
#include "notify_fast.h"
#include "trace.h"
#include "fmt.h"
#include "shadow/entry_checks.h"

void sched_end_vm(struct sched *s, struct vm *vm, enum vm_state st)
{
	exits_flush_output(vm);
	exits_report_dropped(vm);
	vm->state = st;
	notify_last(s->n, vm);
	trace_vm(vm->id, "end status=%s why=\"%s\"", st == VM_DONE ? "done" : "stopped", vm->why);
	if (s->release)
		s->release(vm);
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

static void trace_exit(struct notify *n, struct vm *vm, uint32_t reason)
{
	uint64_t rip = 0, len = 0, tsc = NOTIFY_NOW(n);
	(void)notify_read(n, vm, VMCS_guest_rip, &rip);
	unsigned r = reason & 0xffff;
	if (r == EXIT_ept_violation) {
		uint64_t q = 0;
		(void)notify_read(n, vm, VMCS_exit_qualification, &q);
		trace_vm(vm->id, "exit n=%llu reason=%s rip=0x%llx qual=0x%llx tsc=%llu", (unsigned long long)vm->n.entries,
			 exit_reason_name(r), (unsigned long long)rip, (unsigned long long)q, (unsigned long long)tsc);
		return;
	}
	/* No instruction caused these: no length. */
	if (r == EXIT_preemption_timer || r == EXIT_triple_fault || r == EXIT_exception_nmi) {
		trace_vm(vm->id, "exit n=%llu reason=%s rip=0x%llx tsc=%llu", (unsigned long long)vm->n.entries,
			 exit_reason_name(r), (unsigned long long)rip, (unsigned long long)tsc);
		return;
	}
	(void)notify_read(n, vm, VMCS_exit_instr_len, &len);
	trace_vm(vm->id, "exit n=%llu reason=%s rip=0x%llx len=%llu tsc=%llu", (unsigned long long)vm->n.entries,
		 exit_reason_name(r), (unsigned long long)rip, (unsigned long long)len, (unsigned long long)tsc);
}

/* One more entry within the run's budget? A hang becomes an error. */
static inline bool entry_budget_left(const struct sched *s)
{
	return s->entries < SCHED_MAX_ENTRIES;
}

static bool entry_budget(struct sched *s, struct vm *vm)
{
	bool left = entry_budget_left(s);
	s->entries++;
	if (!left)
		fmt(vm->why, sizeof(vm->why), "entry limit %u reached", SCHED_MAX_ENTRIES);
	return left;
}

/* An exit's count and trace line, before its handler runs. */
static inline void count_exit(struct sched *s, struct vm *vm, uint32_t reason)
{
	vm->n.exits++;
	vm->n.by_reason[reason & (EXIT_REASON_LIMIT - 1)]++;
	if (trace_detail_on())
		trace_exit(s->n, vm, reason);   /* trace=summary: no VMREAD for a dropped line */
}

/* Does the slice go on after one more exit the handler continues? */
static inline bool slice_left(const struct vm *vm)
{
	return vm->slice_exits + 1 < SCHED_SLICE_EXITS;
}

/* The handler's verdict, and ACT_YIELD also when the slice is used up. */
static inline enum exit_action slice_end(struct vm *vm, enum exit_action act)
{
	if (act != ACT_CONTINUE)
		return act;
	bool left = slice_left(vm);
	vm->slice_exits++;
	return left ? ACT_CONTINUE : ACT_YIELD;
}

/* Count and handle one VM exit. */
static enum exit_action on_exit(struct sched *s, struct vm *vm, uint32_t reason)
{
	count_exit(s, vm, reason);
	return slice_end(vm, exits_handle(s->n, vm, reason));
}

/* notify's fast-path hook: the exits exits_fast() names (CPUID) are
 * handled right at the exit, with the same accounting as run_slice's loop
 * and the same handler as exits_handle's, and when the VM goes on its next
 * entry is counted here. */
static inline __attribute__((always_inline)) int fast_exit(void *ctx, struct vm *vm, uint32_t reason)
{
	struct sched *s = ctx;
	if (!exits_fast(reason))
		return NOTIFY_FAST_DECLINE;
	count_exit(s, vm, reason);
	enum exit_action act = slice_end(vm, exits_fast_handle(s->n, vm, reason));
	if (act == ACT_CONTINUE && !entry_budget(s, vm))
		act = ACT_STOP;
	return (int)act;
}

#ifndef SV_BENCH_FLOOR
/* notify's fast path with fast_exit compiled in, for an exit the replay
 * does not take (pre: what it read, or NULL when it was not armed); it
 * arms the replay when a CPUID round trip left the steady state. */
static __attribute__((noinline)) bool again_fast(struct notify *n, struct vm *vm, const struct notify_pre *pre)
{
	bool go = notify_fast_again_with(n, fast_exit, n->fast_ctx, pre);
	if (go && n->fast_r->exit_reason == EXIT_cpuid)
		(void)notify_replay_arm(n, vm);
	return go;
}

/* A replay's VMREAD (w NULL) or VMWRITE (w its result) failed; never seen:
 * the VMCS is current and launched, the fields exist. Finish the exit as
 * the fast path would have from the same results, issuing nothing twice:
 * begun and counted, the CPUID's registers, a failed write told, the VM
 * stopped with the handler's reason. */
static __attribute__((cold, noinline)) bool replay_failed(struct notify *n, struct vm *vm, const struct notify_pre *pre,
							 const struct vmx_result *w, uint64_t rip)
{
	struct sched *s = n->fast_ctx;
	struct entry_result *r = n->fast_r;
	notify_replay_end(n);
	(void)notify_exit_begin_with(n, vm, r, pre->st, pre->reason);
	notify_pre_fill(n, vm, pre);
	count_exit(s, vm, pre->reason);
	exits_cpuid_regs(vm);
	if (w)
		(void)notify_write_issued(n, vm, VMCS_guest_rip, rip, *w);
	r->handled = true;
	r->act = slice_end(vm, exits_stop(vm, w ? "cannot write guest RIP" : "cannot read guest RIP"));
	return false;
}

/* The entry stub's again function for this scheduler. While the replay
 * is armed (notify_fast.h) and this exit is a CPUID exit again within the
 * slice and the budget, the round trip is replayed: RIP and the length
 * read, the row guest.rip.high on the new RIP (which, below 4 GiB, it
 * passes in any mode: entry_rip_low), RIP written, the CPUID's
 * registers, the scheduler's counters; notify's counts are kept as one
 * number. The same VMX instructions as the fast path in the same order,
 * and the same state after (test_sched_fast holds the two against each
 * other). Any other exit goes to notify's fast path with fast_exit
 * compiled in, taking what the replay read as its own: another reason,
 * the slice's or the budget's end, a length of 0 (the fast path writes
 * nothing then), a RIP at or above 4 GiB (the fast path writes it and
 * runs the row, which then reads the mode and may predict a failure). */
static bool sched_again(void *opaque)
{
	struct notify *n = opaque;
	struct sched *s = n->fast_ctx;
	struct vm *vm = n->fast_vm;
	if (n->replay != vm)
		return again_fast(n, vm, NULL);     /* not armed (nothing to count) */
	uint64_t reason, rip, len;
	struct vmx_result st = NOTIFY_VMREAD(n, vmcs_field_encoding(VMCS_exit_reason), &reason);
	if (st.status != VMX_OK || reason != EXIT_cpuid || !slice_left(vm) || !entry_budget_left(s)) {
		notify_replay_end(n);
		return again_fast(n, vm, &(struct notify_pre){ st, st.status == VMX_OK ? reason : 0, 0, { }, { } });
	}
	struct vmx_result a = NOTIFY_VMREAD(n, vmcs_field_encoding(VMCS_guest_rip), &rip);
	if (a.status != VMX_OK)
		return replay_failed(n, vm, &(struct notify_pre){ st, reason, 1, { a }, { rip } }, NULL, 0);
	struct vmx_result b = NOTIFY_VMREAD(n, vmcs_field_encoding(VMCS_exit_instr_len), &len);
	if (b.status != VMX_OK)
		return replay_failed(n, vm, &(struct notify_pre){ st, reason, 2, { a, b }, { rip, len } }, NULL, 0);
	uint64_t next = rip + len;
	if (!len || (__builtin_expect(!entry_rip_low(next), 0) && !entry_rip_passes_unread(rip, next, n->replay_lma_saved, n->replay_rip_shift))) {
		notify_replay_end(n);
		return again_fast(n, vm, &(struct notify_pre){ st, reason, 2, { a, b }, { rip, len } });
	}
	struct vmx_result w = NOTIFY_VMWRITE(n, vmcs_field_encoding(VMCS_guest_rip), next);
	if (w.status != VMX_OK)
		return replay_failed(n, vm, &(struct notify_pre){ st, reason, 2, { a, b }, { rip, len } }, &w, next);
	count_exit(s, vm, EXIT_cpuid);
	exits_cpuid_regs(vm);
	vm->slice_exits++;
	s->entries++;
	notify_replay_done(n, vm, rip, next, len);
	return true;
}
#endif

/* The entry stub's again function without the replay (fastpath=noreplay,
 * and make bench's floor builds): notify's fast path with fast_exit
 * compiled in. */
static bool sched_again_plain(void *opaque)
{
	struct notify *n = opaque;
	return notify_fast_again_with(n, fast_exit, n->fast_ctx, NULL);
}

void sched_fast_path(struct sched *s, bool on, bool replay)
{
#ifdef SV_BENCH_FLOOR
	replay = false;
	bool (*again)(void *) = sched_again_plain;
#else
	bool (*again)(void *) = replay ? sched_again : sched_again_plain;
#endif
	s->n->fast = on ? fast_exit : NULL;
	s->n->fast_ctx = s;
	s->n->fast_again = on ? again : NULL;
	s->n->no_replay = !replay;
}

/* Run vm until its slice ends. */
static void run_slice(struct sched *s, struct vm *vm)
{
	if (vm->slices >= SCHED_VM_SLICES) {
		fmt(vm->why, sizeof(vm->why), "cpu budget exhausted: %u slices", SCHED_VM_SLICES);
		sched_end_vm(s, vm, VM_STOPPED);
		return;
	}
	vm->slices++;
	vm->slice_exits = 0;
	if (vm->launch == VMCS_LAUNCHED && s->ptimer)
		(void)notify_write(s->n, vm, VMCS_preemption_timer, s->quantum);
	for (;;) {
		if (!entry_budget(s, vm)) {
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
