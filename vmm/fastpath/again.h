/* The pieces a fast path's again function (vmx_enter's callback at each
 * VM exit) is made of, inline: the product's (again.c) and make bench's
 * floor flavours (bench/floor*.c), which link in its place. */
#ifndef VMM_FASTPATH_AGAIN_H
#define VMM_FASTPATH_AGAIN_H
#include "vmm/fastpath/fastpath.h"
#include "vmm/notify_steps.h"
#include "vmm/sched.h"

static inline struct fastpath *fastpath_of(void *hook)
{
	return (struct fastpath *)hook;   /* hook is the first member */
}

/* VMREADs the replay issued at an exit before it handed the exit on: the
 * exit reason, then (nread of them) guest RIP and the instruction length.
 * The round trip takes them as its own, so nothing is read twice. */
struct fastpath_pre {
	struct vmx_result st;
	uint64_t reason;
	unsigned nread;
	struct vmx_result rst[2];
	uint64_t val[2];
};

/* Count the pre-read RIP and length and put them into the shadow, as the
 * handler's own VMREADs would. */
static inline void fastpath_pre_fill(struct notify *n, struct vm *vm, const struct fastpath_pre *pre)
{
	static const enum vmcs_field f[2] = { VMCS_guest_rip, VMCS_exit_instr_len };
	for (unsigned i = 0; i < pre->nread; i++)
		(void)notify_read_done(n, vm, f[i], pre->rst[i], pre->val[i]);
}

/* One round trip: begin the exit as notify_issue would; if handler
 * handles it and asks to go on, make the next entry's checks (unless
 * checks is false: make bench's floor 1) and return true, so the stub
 * executes VMRESUME at once. Taken only where the slow path would do the
 * same: VMCS current and launched, nothing pending, no per-instruction
 * lines. With a constant handler the compiler inlines it. */
static inline __attribute__((always_inline)) bool
fastpath_round_trip(struct fastpath *fp, fastpath_handler_fn handler, void *ctx,
		    const struct fastpath_pre *pre, bool checks)
{
	struct notify *n = fp->n;
	struct vm *vm = fp->hook.vm;
	struct entry_result *r = fp->hook.r;
	enum entry_outcome o = pre ? notify_exit_begin_with(n, vm, r, pre->st, pre->reason)
				   : notify_exit_begin(n, vm, r);
	if (o != ENTRY_EXITED)
		return false;
	if (pre)
		fastpath_pre_fill(n, vm, pre);
	if (notify_tracing(n) || vm->dead || notify_pending_any(vm))
		return false;
	/* The handlers write through notify_write while this VMCS is current:
	 * nothing becomes pending, the next entry needs no VMPTRLD. */
	int act = handler(ctx, vm, r->exit_reason);
	if (act == FASTPATH_DECLINE)
		return false;
	if (act != FASTPATH_RESUME) {
		r->handled = true;
		r->act = act;
		return false;
	}
	if (!checks)
		return true;
	notify_entry_checks(n, vm, INSN_VMRESUME, r);
	if (r->predicted.kind != VERDICT_OK) {
		r->outcome = ENTRY_PREDICTED_FAIL;
		return false;
	}
	r->insn = INSN_VMRESUME;
	fp->entries++;
	return true;
}

/* The scheduler's handler: every exit handled right at the exit, with the
 * same accounting as run_slice's loop and the same handlers as
 * exits_handle's (CPUID's inline); when the VM goes on, its next entry is
 * counted here. An exit that ends the slice or the VM is handed back with
 * its verdict (entry_result.handled), so the scheduler acts on it as if
 * its own loop had handled it. */
static inline __attribute__((always_inline)) int fastpath_sched_exit(void *ctx, struct vm *vm, uint32_t reason)
{
	struct sched *s = ctx;
	sched_count_exit(s, vm, reason);
	enum exit_action act = reason == EXIT_cpuid ? exits_cpuid(s->n, vm) : exits_handle(s->n, vm, reason);
	act = sched_slice_end(s, vm, act);
	if (act == ACT_CONTINUE && !sched_entry_budget(s, vm))
		act = ACT_STOP;
	return (int)act;
}

/* The again functions fastpath_attach_sched installs: with the replay and
 * without. again.c defines them; make bench's floor flavours define their
 * own in its place. */
bool fastpath_again_replay(void *hook);
bool fastpath_again_plain(void *hook);

/* The replay's bookkeeping (fastpath.c). */
bool fastpath_replay_arm(struct fastpath *fp, struct vm *vm, uint64_t room);
void fastpath_replay_end(struct fastpath *fp);

#endif
