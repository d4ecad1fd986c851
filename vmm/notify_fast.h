/* The notification module's per-exit and per-entry steps, inline, and the
 * fast path built from them (notify_fast_again_with). Private to notify.c
 * and to a scheduler that compiles its own hook into its own again
 * function (vmm/sched.c), so the whole CPUID round trip is one function
 * with no call inside but the entry check's predicate. The rare branches
 * (an entry failure, per-instruction trace lines) are out of line in
 * notify.c. */
#ifndef VMM_NOTIFY_FAST_H
#define VMM_NOTIFY_FAST_H
#include "notify.h"
#include "shadow/validate_dirty.h"

/* notify.c: the cold halves. */
enum entry_outcome notify_exit_failed(struct notify *n, struct vm *vm, struct entry_result *r);
void notify_trace_entry(struct notify *n, struct vm *vm, enum entry_insn insn,
			const struct entry_result *r, unsigned ran, const struct pmr_outcome *po);

static inline bool notify_pending_any(const struct vm *vm)
{
	uint64_t any = 0;
	for (int w = 0; w < SHADOW_WORDS; w++)
		any |= vm->pending[w];
	return any != 0;
}

/* After VMLAUNCH/VMRESUME returned to the host (a VM exit or an entry
 * failure): the CPU owns the guest-state and exit-information fields
 * again; the exit reason (VMREAD with result st) and the launch state
 * settled. */
static inline __attribute__((always_inline)) enum entry_outcome
notify_exit_begin_with(struct notify *n, struct vm *vm, struct entry_result *r, struct vmx_result st, uint64_t reason)
{
	shadow_on_exit(&vm->shadow);
	if (st.status == VMX_OK)
		shadow_fill(&vm->shadow, VMCS_exit_reason, reason);
	unsigned basic = (unsigned)(reason & 0xffff) < 62 ? (unsigned)(reason & 0xffff) : 62;
	n->last_reason = basic;
	n->costs.vmreads[basic]++;
	n->costs.exits[basic]++;
	r->exit_reason = (uint32_t)reason;
	if (__builtin_expect(reason & (1u << 31), 0))
		return notify_exit_failed(n, vm, r);
	shadow_on_exit_proper(&vm->shadow);
	if (r->insn == INSN_VMLAUNCH)
		vm->launch = VMCS_LAUNCHED;
	shadow_on_entry_ok(&vm->shadow);
	return r->outcome = ENTRY_EXITED;
}

static inline __attribute__((always_inline)) enum entry_outcome
notify_exit_begin(struct notify *n, struct vm *vm, struct entry_result *r)
{
	uint64_t reason = 0;
	struct vmx_result st = vmcs_read(VMCS_exit_reason, &reason);
	return notify_exit_begin_with(n, vm, r, st, reason);
}

/* VMREADs a scheduler's replay (vmm/sched.c) issued at an exit before it
 * handed the exit to the fast path: the exit reason, then (nread of them)
 * guest RIP and the instruction length. The fast path takes them as its
 * own, so nothing is read twice. */
struct notify_pre {
	struct vmx_result st;
	uint64_t reason;
	unsigned nread;
	struct vmx_result rst[2];
	uint64_t val[2];
};

/* Count the pre-read RIP and length and put them into the shadow, as
 * the handler's own VMREADs would. */
static inline void notify_pre_fill(struct notify *n, struct vm *vm, const struct notify_pre *pre)
{
	static const enum vmcs_field f[2] = { VMCS_guest_rip, VMCS_exit_instr_len };
	for (unsigned i = 0; i < pre->nread; i++)
		(void)notify_read_done(n, vm, f[i], pre->rst[i], pre->val[i]);
}

/* The shadow's part of an entry: validation (all checks for VMLAUNCH, the
 * dirty fields' for VMRESUME), the cache model, the entry line and the
 * counters. The verdict lands in r->predicted. Validation does not touch
 * the dirty bits, so the entry line lists them afterwards. */
static inline __attribute__((always_inline)) void
notify_entry_checks(struct notify *n, struct vm *vm, enum entry_insn insn, struct entry_result *r)
{
	n->cc.s = &vm->shadow;
	uint64_t t0 = vmx_now();
	unsigned ran = insn == INSN_VMLAUNCH ? validate_full(&n->cc, &r->predicted)
					     : validate_dirty(&n->cc, &r->predicted);
	uint64_t dt = vmx_now() - t0;
	struct pmr_outcome po;
	pmr_on_entry(n->pmr, vm->id, n->vmcs_bytes, &po);
	if (__builtin_expect(notify_tracing(n), 0))
		notify_trace_entry(n, vm, insn, r, ran, &po);
	vm->n.entries++;
	if (insn == INSN_VMLAUNCH) {
		n->costs.validate_full_tsc += dt;
		vm->n.launches++;
		vm->n.checks_full += ran;
	} else {
		n->costs.validate_dirty_tsc += dt;
		vm->n.resumes++;
		vm->n.checks_dirty += ran;
	}
}

/* The replay's notify part. A scheduler (vmm/sched.c) may repeat the
 * last fast round trip of a CPUID exit when it left a steady state, in
 * which every further such round trip leaves the shadow, the validation
 * memo and the cache model in the same shape: only guest RIP is dirty, its
 * one check is the row guest.rip.high, the shadow knows no guest field
 * but RIP and no exit field but the reason and the length, and the VM
 * holds a clean cache slot. (The replay takes only RIPs for which the row
 * reads nothing else: entry_rip_passes_unread.)
 * notify_replay_arm (notify.c) says whether the round trip just made
 * left that state (and arms the replay); then the next one needs only what
 * changes: RIP's and the length's values and the row's rule on the new
 * RIP. Its counts are all the same, so they are kept as one number of
 * replayed round trips (replay_k) and added by notify_replay_end, which
 * whatever ends the replay calls first: the scheduler when it declines an
 * exit or a VMX instruction fails, notify_issue when the stub returns. */
bool notify_replay_arm(struct notify *n, struct vm *vm);
void notify_replay_end(struct notify *n);

/* After the replay's VMWRITE of rip succeeded: the shadow's two new
 * values (the reason's is the same as last time) and the RIP the exit
 * saved (shadow_fill), one more round trip. */
static inline __attribute__((always_inline)) void
notify_replay_done(struct notify *n, struct vm *vm, uint64_t saved, uint64_t rip, uint64_t len)
{
	vm->shadow.val[VMCS_guest_rip] = rip & vmcs_field_mask(VMCS_guest_rip);
	vm->shadow.val[VMCS_exit_instr_len] = len & vmcs_field_mask(VMCS_exit_instr_len);
	vm->shadow.exit_rip = saved;
	n->replay_k++;
}

#if defined(SV_BENCH_FLOOR) && SV_BENCH_FLOOR >= 2
#include "arch/x86/cpu.h"
/* make bench's floor build, level 2 (never the image make run boots): a
 * CPUID exit handled with bare VMX instructions, no shadow, no counters,
 * no checks: what the exit costs without this project's work. */
static inline bool notify_bench_bare_cpuid(struct notify *n, struct guest_regs *g)
{
	uint64_t reason, rip, len;
	if (vmcs_read(VMCS_exit_reason, &reason).status != VMX_OK ||
	    reason != EXIT_cpuid)
		return false;
	struct cpuid_regs c;
	cpuid((uint32_t)g->rax, (uint32_t)g->rcx, &c);
	g->rax = c.eax;
	g->rbx = c.ebx;
	g->rcx = c.ecx;
	g->rdx = c.edx;
	return vmcs_read(VMCS_guest_rip, &rip).status == VMX_OK &&
	       vmcs_read(VMCS_exit_instr_len, &len).status == VMX_OK &&
	       vmcs_write(VMCS_guest_rip, rip + len).status == VMX_OK;
}
#endif

/* The fast path, run by vmx_enter at each VM exit while the host stack is
 * still wound (the exit stack): begin the exit as notify_issue would; if
 * hook handles it and asks to go on, make the next entry's checks and
 * return true, so the stub executes VMRESUME at once. Taken only where the
 * slow path would do the same: VMCS current and launched, nothing pending,
 * no per-instruction lines. With a constant hook the compiler inlines it
 * (vmm/sched.c); notify.c's generic version calls n->fast. */
static inline __attribute__((always_inline)) bool
notify_fast_again_with(struct notify *n, notify_fast_fn hook, void *hook_ctx, const struct notify_pre *pre)
{
	struct vm *vm = n->fast_vm;
	struct entry_result *r = n->fast_r;
#if defined(SV_BENCH_FLOOR) && SV_BENCH_FLOOR >= 2
	if (notify_bench_bare_cpuid(n, &vm->regs))
		return true;
#endif
	enum entry_outcome o = pre ? notify_exit_begin_with(n, vm, r, pre->st, pre->reason)
				   : notify_exit_begin(n, vm, r);
	if (o != ENTRY_EXITED)
		return false;
	if (pre)
		notify_pre_fill(n, vm, pre);
	if (notify_tracing(n) || vm->dead || notify_pending_any(vm))
		return false;
	/* The hook's handlers write through notify_write while this VMCS is
	 * current: nothing becomes pending, the next entry needs no VMPTRLD. */
	int act = hook(hook_ctx, vm, r->exit_reason);
	if (act == NOTIFY_FAST_DECLINE)
		return false;
	if (act != NOTIFY_FAST_RESUME) {
		r->handled = true;
		r->act = act;
		return false;
	}
#if defined(SV_BENCH_FLOOR) && SV_BENCH_FLOOR == 1
	/* make bench's floor build, level 1: the exit handled as always, the
	 * next entry without the shadow's work (validation, cache model,
	 * entry counters). Never the image make run boots. */
	return true;
#endif
	notify_entry_checks(n, vm, INSN_VMRESUME, r);
	if (r->predicted.kind != VERDICT_OK) {
		r->outcome = ENTRY_PREDICTED_FAIL;
		return false;
	}
	r->insn = INSN_VMRESUME;
	n->fast_entries++;
	return true;
}

#endif
