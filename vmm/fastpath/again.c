/* The scheduler's again functions: what the entry stub runs at each VM
 * exit while the fast path is on. make bench's floor flavours
 * (bench/floor*.c) link in place of this file. */
#include "vmm/fastpath/again.h"
#include "vmm/shadow/entry_checks.h"

/* The second CPUID round trip in a row that left the steady state arms
 * the replay: a lone CPUID among other exits (mixbench) would pay for
 * arming and leaving it and gain nothing. */
static inline __attribute__((always_inline)) bool arm_after(struct fastpath *fp, struct vm *vm, bool go)
{
	bool cpuid = go && fp->hook.r->exit_reason == EXIT_cpuid;
	if (cpuid && fp->cpuid_before)
		(void)fastpath_replay_arm(fp, vm, sched_exits_room(fp->ctx, vm));
	fp->cpuid_before = cpuid;
	return go;
}

/* The fast path with the scheduler's handler compiled in, for an exit the
 * replay was not armed for: nothing read yet. */
static __attribute__((noinline)) bool again_fresh(struct fastpath *fp, struct vm *vm)
{
	return arm_after(fp, vm, fastpath_round_trip(fp, fastpath_sched_exit, fp->ctx, NULL, true));
}

/* The same for an exit the replay declined, with what it read (pre). */
static __attribute__((noinline)) bool again_fast(struct fastpath *fp, struct vm *vm, const struct fastpath_pre *pre)
{
	return arm_after(fp, vm, fastpath_round_trip(fp, fastpath_sched_exit, fp->ctx, pre, true));
}

/* The replay's ways out, cold and out of line, so that its hot path makes
 * no call and needs no stack frame: each ends the replay (its round trips
 * counted), then finishes the exit from what the replay read, issuing
 * nothing twice (a failed VMREAD or VMWRITE is classified by
 * vmcs_read_why / vmcs_write_why, as vmcs_read would). */
static const struct vmx_result ok = { VMX_OK, 0 };

/* Another reason or the end of the room: the fast path, with the reason
 * read. */
static __attribute__((cold, noinline)) bool replay_leave(struct fastpath *fp, uint64_t reason)
{
	fastpath_replay_end(fp);
	return again_fast(fp, fp->hook.vm, &(struct fastpath_pre){ ok, reason, 0, { }, { } });
}

/* The reason's VMREAD failed: the fast path, with that result. */
static __attribute__((cold, noinline)) bool replay_reason_failed(struct fastpath *fp)
{
	uint64_t reason;
	struct vmx_result st = vmcs_read_why(VMCS_exit_reason, &reason);
	fastpath_replay_end(fp);
	return again_fast(fp, fp->hook.vm, &(struct fastpath_pre){ st, 0, 0, { }, { } });
}

/* A length of 0 (the fast path writes nothing then) or a RIP at or above
 * 4 GiB the row must judge with the mode: the fast path, with all three
 * read. */
static __attribute__((cold, noinline)) bool replay_leave_read(struct fastpath *fp, uint64_t rip, uint64_t len)
{
	fastpath_replay_end(fp);
	return again_fast(fp, fp->hook.vm, &(struct fastpath_pre){ ok, EXIT_cpuid, 2, { ok, ok }, { rip, len } });
}

/* A replay's VMREAD of RIP (nread 1) or of the length (nread 2), or its
 * VMWRITE of RIP (w not NULL) failed; never seen: the VMCS is current and
 * launched, the fields exist. Finish the exit as the fast path would have
 * from the same results: begun and counted, the CPUID's registers, a
 * failed write told, the VM stopped with the handler's reason. */
static void replay_failed(struct fastpath *fp, const struct fastpath_pre *pre, const struct vmx_result *w)
{
	struct sched *s = fp->ctx;
	struct notify *n = fp->n;
	struct vm *vm = fp->hook.vm;
	struct entry_result *r = fp->hook.r;
	fastpath_replay_end(fp);
	(void)notify_exit_begin_with(n, vm, r, ok, EXIT_cpuid);
	fastpath_pre_fill(n, vm, pre);
	sched_count_exit(s, vm, EXIT_cpuid);
	exits_cpuid_regs(vm);
	if (w)
		(void)notify_write_issued(n, vm, VMCS_guest_rip, pre->val[0] + pre->val[1], *w);
	r->handled = true;
	r->act = sched_slice_end(s, vm, exits_stop(vm, w ? "cannot write guest RIP" : "cannot read guest RIP"));
}

static __attribute__((cold, noinline)) bool replay_rip_failed(struct fastpath *fp)
{
	uint64_t rip;
	struct vmx_result a = vmcs_read_why(VMCS_guest_rip, &rip);
	replay_failed(fp, &(struct fastpath_pre){ ok, EXIT_cpuid, 1, { a }, { rip } }, NULL);
	return false;
}

static __attribute__((cold, noinline)) bool replay_len_failed(struct fastpath *fp, uint64_t rip)
{
	uint64_t len;
	struct vmx_result b = vmcs_read_why(VMCS_exit_instr_len, &len);
	replay_failed(fp, &(struct fastpath_pre){ ok, EXIT_cpuid, 2, { ok, b }, { rip, len } }, NULL);
	return false;
}

static __attribute__((cold, noinline)) bool replay_write_failed(struct fastpath *fp, uint64_t rip, uint64_t len)
{
	struct vmx_result w = vmcs_write_why(VMCS_guest_rip, rip + len);
	replay_failed(fp, &(struct fastpath_pre){ ok, EXIT_cpuid, 2, { ok, ok }, { rip, len } }, &w);
	return false;
}

/* While the replay is armed and this exit is a CPUID exit again within
 * the room the scheduler gave it (sched_exits_room), the round trip is
 * replayed: RIP and the length read, the row guest.rip.high on the new RIP
 * (which, below 4 GiB, it passes in any mode: entry_rip_low), RIP written,
 * the CPUID's registers; every count, the scheduler's and notify's, is
 * kept as one number (replay_k). The same VMX instructions as the fast
 * path in the same order, and the same state after (test_sched_fast holds
 * the two against each other). Anything else leaves through a cold
 * function above. */
bool fastpath_again_replay(void *hook)
{
	struct fastpath *fp = fastpath_of(hook);
	struct vm *vm = fp->hook.vm;
	if (fp->replay != vm)
		return again_fresh(fp, vm);          /* not armed (nothing to count) */
	uint64_t reason, rip, len;
	if (!vmcs_read_try(VMCS_exit_reason, &reason))
		return replay_reason_failed(fp);
	if (reason != EXIT_cpuid || fp->replay_k >= fp->replay_max)
		return replay_leave(fp, reason);
	if (!vmcs_read_try(VMCS_guest_rip, &rip))
		return replay_rip_failed(fp);
	if (!vmcs_read_try(VMCS_exit_instr_len, &len))
		return replay_len_failed(fp, rip);
	uint64_t next = rip + len;
	if (!len || (__builtin_expect(!entry_rip_low(next), 0) &&
		     !entry_rip_passes_unread(rip, next, fp->lma_saved, fp->rip_shift)))
		return replay_leave_read(fp, rip, len);
	if (!vmcs_write_try(VMCS_guest_rip, next))
		return replay_write_failed(fp, rip, len);
	shadow_replay_store(&vm->shadow, rip, next, len);
	fp->replay_k++;
	exits_cpuid_regs(vm);     /* last: CPUID leaves few registers free */
	return true;
}

/* Without the replay (fastpath=noreplay). */
bool fastpath_again_plain(void *hook)
{
	struct fastpath *fp = fastpath_of(hook);
	return fastpath_round_trip(fp, fastpath_sched_exit, fp->ctx, NULL, true);
}
