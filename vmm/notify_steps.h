/* The notification module's per-exit and per-entry steps, inline: the
 * entry path in notify.c is built from them, and so is the fast path
 * (vmm/fastpath/), which takes an exit and makes the next entry while the
 * host stack is still wound. The rare branches (an entry failure, the
 * per-instruction trace lines) are out of line in notify.c. */
#ifndef VMM_NOTIFY_STEPS_H
#define VMM_NOTIFY_STEPS_H
#include "vmm/notify.h"
#include "vmm/shadow/validate_dirty.h"

/* The cold halves (notify.c). */
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

/* The shadow's part of an entry: validation (all checks for VMLAUNCH, the
 * dirty fields' for VMRESUME), the cache model, the entry line and the
 * counters. The verdict lands in r->predicted. Validation does not touch
 * the dirty bits, so the entry line lists them afterwards. */
static inline __attribute__((always_inline)) void
notify_entry_checks(struct notify *n, struct vm *vm, enum entry_insn insn, struct entry_result *r)
{
	n->cc.s = &vm->shadow;
	n->cc.memo = &vm->memo;
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

/* k more round trips of the same shape as the last (an exit of the same
 * basic reason with a VMREAD of the reason, RIP and length and a VMWRITE
 * of RIP; a VMRESUME with guest RIP's one check, a hit in the VM's cache
 * slot): the counters and the cache model, in one step. The fast path's
 * replay (vmm/fastpath/) counts its round trips this way. */
void notify_replayed(struct notify *n, struct vm *vm, uint64_t k);

#endif
