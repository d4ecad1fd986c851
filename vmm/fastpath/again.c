/* The scheduler's again functions: what the entry stub runs at each VM
 * exit while the fast path is on. make bench's floor flavours
 * (bench/floor*.c) link in place of this file. */
#include "vmm/fastpath/again.h"
#include "vmm/shadow/entry_checks.h"

/* The fast path with the scheduler's handler compiled in, for an exit the
 * replay does not take (pre: what it read, or NULL when it was not armed);
 * it arms the replay when a CPUID round trip left the steady state. */
static __attribute__((noinline)) bool again_fast(struct fastpath *fp, struct vm *vm, const struct fastpath_pre *pre)
{
	bool go = fastpath_round_trip(fp, fastpath_sched_exit, fp->ctx, pre, true);
	if (go && fp->hook.r->exit_reason == EXIT_cpuid)
		(void)fastpath_replay_arm(fp, vm);
	return go;
}

/* A replay's VMREAD (w NULL) or VMWRITE (w its result) failed; never seen:
 * the VMCS is current and launched, the fields exist. Finish the exit as
 * the fast path would have from the same results, issuing nothing twice:
 * begun and counted, the CPUID's registers, a failed write told, the VM
 * stopped with the handler's reason. */
static __attribute__((cold, noinline)) bool replay_failed(struct fastpath *fp, struct vm *vm,
							 const struct fastpath_pre *pre,
							 const struct vmx_result *w, uint64_t rip)
{
	struct sched *s = fp->ctx;
	struct notify *n = fp->n;
	struct entry_result *r = fp->hook.r;
	fastpath_replay_end(fp);
	(void)notify_exit_begin_with(n, vm, r, pre->st, pre->reason);
	fastpath_pre_fill(n, vm, pre);
	sched_count_exit(s, vm, pre->reason);
	exits_cpuid_regs(vm);
	if (w)
		(void)notify_write_issued(n, vm, VMCS_guest_rip, rip, *w);
	r->handled = true;
	r->act = sched_slice_end(vm, exits_stop(vm, w ? "cannot write guest RIP" : "cannot read guest RIP"));
	return false;
}

/* While the replay is armed and this exit is a CPUID exit again within
 * the slice and the budget, the round trip is replayed: RIP and the
 * length read, the row guest.rip.high on the new RIP (which, below 4 GiB,
 * it passes in any mode: entry_rip_low), RIP written, the CPUID's
 * registers, the scheduler's counters; notify's counts are kept as one
 * number. The same VMX instructions as the fast path in the same order,
 * and the same state after (test_sched_fast holds the two against each
 * other). Any other exit goes to the fast path, taking what the replay
 * read as its own: another reason, the slice's or the budget's end, a
 * length of 0 (the fast path writes nothing then), a RIP at or above
 * 4 GiB (the fast path writes it and runs the row, which then reads the
 * mode and may predict a failure). */
bool fastpath_again_replay(void *hook)
{
	struct fastpath *fp = fastpath_of(hook);
	struct sched *s = fp->ctx;
	struct vm *vm = fp->hook.vm;
	if (fp->replay != vm)
		return again_fast(fp, vm, NULL);     /* not armed (nothing to count) */
	uint64_t reason, rip, len;
	struct vmx_result st = vmcs_read(VMCS_exit_reason, &reason);
	if (st.status != VMX_OK || reason != EXIT_cpuid || !sched_slice_left(vm) || !sched_budget_left(s)) {
		fastpath_replay_end(fp);
		return again_fast(fp, vm, &(struct fastpath_pre){ st, st.status == VMX_OK ? reason : 0, 0, { }, { } });
	}
	struct vmx_result a = vmcs_read(VMCS_guest_rip, &rip);
	if (a.status != VMX_OK)
		return replay_failed(fp, vm, &(struct fastpath_pre){ st, reason, 1, { a }, { rip } }, NULL, 0);
	struct vmx_result b = vmcs_read(VMCS_exit_instr_len, &len);
	if (b.status != VMX_OK)
		return replay_failed(fp, vm, &(struct fastpath_pre){ st, reason, 2, { a, b }, { rip, len } }, NULL, 0);
	uint64_t next = rip + len;
	if (!len || (__builtin_expect(!entry_rip_low(next), 0) &&
		     !entry_rip_passes_unread(rip, next, fp->lma_saved, fp->rip_shift))) {
		fastpath_replay_end(fp);
		return again_fast(fp, vm, &(struct fastpath_pre){ st, reason, 2, { a, b }, { rip, len } });
	}
	struct vmx_result w = vmcs_write(VMCS_guest_rip, next);
	if (w.status != VMX_OK)
		return replay_failed(fp, vm, &(struct fastpath_pre){ st, reason, 2, { a, b }, { rip, len } }, &w, next);
	sched_count_exit(s, vm, EXIT_cpuid);
	exits_cpuid_regs(vm);
	vm->slice_exits++;
	s->entries++;
	shadow_replay_store(&vm->shadow, rip, next, len);
	fp->replay_k++;
	return true;
}

/* Without the replay (fastpath=noreplay). */
bool fastpath_again_plain(void *hook)
{
	struct fastpath *fp = fastpath_of(hook);
	return fastpath_round_trip(fp, fastpath_sched_exit, fp->ctx, NULL, true);
}
