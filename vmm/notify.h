/* The processor notification module: for every VM it knows whether the
 * next transition is the first entry (VMCLEAR, VMPTRLD, VMWRITE of the whole
 * VMCS, full validation, VMLAUNCH), a subsequent one (VMPTRLD only on a
 * switch, VMWRITE of what changed, validation of the dirty fields,
 * VMRESUME) or the last (VMCLEAR), and it issues exactly that sequence,
 * telling the shadow and the cache model each step.
 *
 * Pure C: the VMX instructions are arch/x86/vmx.h's functions, which host
 * unit tests link from arch/fake (a fake CPU). */
#ifndef VMM_NOTIFY_H
#define VMM_NOTIFY_H
#include <stdbool.h>
#include "vmm/vm.h"
#include "vmm/shadow/validate.h"
#include "vmm/shadow/pmr_cache.h"
#include "vmm/trace.h"
#include "arch/x86/vmx.h"

/* What the VMX instructions cost, for `make bench`: VMREAD/VMWRITE issued
 * while handling each basic exit reason (between that exit and the next
 * entry), the VMWRITEs of first-entry set-ups (index 63), and the time
 * spent in validation. Basic reasons >= 62 are counted together under 62. */
#define NOTIFY_COSTS_SETUP 63   /* index of the VMWRITEs of first-entry set-ups */

struct notify_costs {
	uint64_t exits[64], vmreads[64], vmwrites[64];
	uint64_t validate_full_tsc, validate_dirty_tsc, first_entry_tsc;
};

enum entry_insn { INSN_VMLAUNCH, INSN_VMRESUME };

/* What happened to one entry attempt. */
enum entry_outcome {
	ENTRY_EXITED,        /* the guest ran; a VM exit is waiting to be handled */
	ENTRY_PREDICTED_FAIL,/* the shadow predicted a failure: not entered */
	ENTRY_VMFAIL,        /* VMLAUNCH/VMRESUME failed (VMfailValid/Invalid) */
	ENTRY_FAILED,        /* VM-entry failure: exit reason 33/34 (bit 31 set) */
	ENTRY_REFUSED,       /* the state machine refused the transition */
	ENTRY_SETUP_FAILED,  /* a VMCLEAR/VMPTRLD/VMWRITE before the entry failed */
};

struct entry_result {
	enum entry_outcome outcome;
	enum entry_insn insn;       /* the last VMLAUNCH/VMRESUME issued */
	bool handled;               /* the fast path handled the exit: act says what next */
	int act;                    /* its verdict (enum exit_action) */
	struct verdict predicted;   /* the shadow's verdict */
	struct vmx_result cpu;      /* the instruction's own status */
	uint32_t exit_reason;       /* full exit-reason field after an exit */
	uint64_t exit_qual;
	bool agree;                 /* shadow and CPU agree (meaningful when entered) */
};

struct notify;

/* What the entry stub calls at each VM exit while the host stack is still
 * wound (vmx_enter's again), and when its loop ends: the fast path
 * (vmm/fastpath/) puts itself here. notify fills in the entry in progress:
 * vm is NULL for an entry that must not take the fast path (forced). */
struct notify_hook {
	bool (*again)(void *hook);
	void (*after)(void *hook);
	struct vm *vm;
	struct entry_result *r;
};

/* Writes the whole VMCS of a VM through notify_write (vmcs_setup.c). */
typedef bool (*vmcs_setup_fn)(struct notify *n, struct vm *vm);

/* The move protocol (docs/smp-moves.md): ask logical processor cpu, where
 * vm's VMCS is active, to VMCLEAR it (notify_release on that processor's
 * notify) and wait until it has; true when it did. The product sends an IPI
 * or a mailbox message; host tests call the other notify directly. */
typedef bool (*notify_ask_clear_fn)(void *ctx, unsigned cpu, struct vm *vm);

/* One notify speaks for one logical processor: its current VMCS, its cache
 * model (pmr), its costs are that processor's. What it needs to take a VM
 * over from another processor: */
struct notify_smp {
	unsigned cpu;                   /* the processor this notify speaks for */
	notify_ask_clear_fn ask_clear;  /* NULL: a VMCS active elsewhere is refused */
	void *ask_ctx;
	/* Writes (through notify_write) the host-state fields that differ per
	 * processor (GDTR, IDTR, TR, FS and GS bases, the exit stack) before a
	 * moved VM's VMLAUNCH here; NULL: none differ. */
	vmcs_setup_fn host_percpu;
	uint64_t moves_in, moves_out;   /* VMs taken over here, handed away */
};

struct notify {
	const struct vmx_caps *caps;
	struct pmr_cache *pmr;
	vmcs_setup_fn setup;
	void *setup_ctx;            /* host state etc. for setup */
	struct vm *current;         /* VM whose VMCS is current, or NULL */
	uint32_t vmcs_bytes;        /* what a cache miss loads */
	bool quiet;                 /* no per-instruction lines (differential mode) */
	unsigned last_reason;       /* basic reason of the last VM exit (costs) */
	struct notify_costs costs;
	struct notify_hook *hook;   /* NULL: every exit unwinds to the caller */
	struct check_ctx cc;        /* validation's context, set up once */
	/* The VMM's own pages (its page pool), [own_lo, own_hi): the only
	 * memory the link-pointer and PDPTE rows read. 0, 0: none. */
	uint64_t own_lo, own_hi;
	struct notify_smp smp;
};

void notify_init(struct notify *n, const struct vmx_caps *caps,
		 struct pmr_cache *pmr, vmcs_setup_fn setup, void *setup_ctx);

/* Which entry comes next for this VM (first entry means VMLAUNCH). */
enum entry_insn notify_next_insn(const struct vm *vm);

/* Make the next entry of vm. force: enter even if the shadow predicts a
 * failure (differential mode), so the CPU's verdict can be compared.
 * Without force and with a fast hook, exits the hook handles are followed
 * by the next entry at once (same checks, cache model and counters as
 * here, no trace lines: only when per-instruction lines are off); r then
 * describes the last transition, and r->handled says whether the hook
 * already handled its exit. */
void notify_enter(struct notify *n, struct vm *vm, bool force, struct entry_result *r);

/* Issue exactly insn for vm, if the VMCS state allows it (VMLAUNCH needs a
 * clear, current VMCS; VMRESUME a launched, current one); otherwise refuse
 * with a trace line and return ENTRY_REFUSED. Used by notify_enter. */
enum entry_outcome notify_issue(struct notify *n, struct vm *vm, enum entry_insn insn,
				struct entry_result *r);

/* The VM whose VMCS is current, or NULL. */
static inline const struct vm *notify_current(const struct notify *n)
{
	return n->current;
}

/* A VMCS was made current, or cleared, by an instruction issued outside
 * the notification module (the differential mode's life-cycle cases): no
 * VM's VMCS is current as far as it knows. */
static inline void notify_lose_current(struct notify *n)
{
	n->current = NULL;
}

/* The shadow's full verdict on vm's VMCS, reading what the shadow does not
 * know from the CPU (the differential mode's departure rows). */
static inline unsigned notify_full_verdict(struct notify *n, struct vm *vm, struct verdict *v)
{
	struct check_ctx cc = n->cc;
	cc.s = &vm->shadow;
	return validate_full(&cc, v);
}

/* Per-instruction trace lines off (quiet) or back on: the differential
 * mode's case lines say what its probes did. */
static inline void notify_set_quiet(struct notify *n, bool quiet)
{
	n->quiet = quiet;
}

/* Are per-instruction trace lines printed (not quiet, not trace=summary)? */
static inline bool notify_tracing(const struct notify *n)
{
	return !n->quiet && trace_detail_on();
}

/* VMWRITE through the shadow. Skipped when the shadow already holds the
 * value; deferred to the next entry when the VM's VMCS is not current.
 * The common case (current VMCS, no trace line, the VMWRITE succeeds) is
 * inline; the rest is notify_write_slow. */
bool notify_write_slow(struct notify *n, struct vm *vm, enum vmcs_field f, uint64_t v);
/* After the VMWRITE of v (masked) into f was issued with result r: count
 * it, tell the cache model and the shadow, print the line (always for a
 * failure). */
bool notify_write_issued(struct notify *n, struct vm *vm, enum vmcs_field f, uint64_t v, struct vmx_result r);
static inline __attribute__((always_inline)) bool notify_write(struct notify *n, struct vm *vm, enum vmcs_field f, uint64_t v)
{
	v &= vmcs_field_mask(f);
	if (shadow_known(&vm->shadow, f) && shadow_get(&vm->shadow, f) == v &&
	    !shadow_bit(vm->pending, f))
		return true;                        /* unchanged: no VMWRITE */
	if (n->current != vm || notify_tracing(n))
		return notify_write_slow(n, vm, f, v);
	struct vmx_result r = vmcs_write(f, v);
	if (r.status != VMX_OK)
		return notify_write_issued(n, vm, f, v, r);   /* counted and told there */
	n->costs.vmwrites[n->last_reason]++;
	(void)pmr_on_vmwrite(n->pmr, vm->id, f);
	shadow_write(&vm->shadow, f, v);
	vm->pending[f / 64] &= ~(1ull << (f % 64));
	return true;
}

/* A VMREAD of f issued with result r and value v: counted, and the value
 * into the shadow. */
static inline __attribute__((always_inline)) bool notify_read_done(struct notify *n, struct vm *vm, enum vmcs_field f,
								  struct vmx_result r, uint64_t v)
{
	n->costs.vmreads[n->last_reason]++;
	if (r.status != VMX_OK)
		return false;
	shadow_fill(&vm->shadow, f, v);
	return true;
}

/* VMREAD from the CPU (counted), and the value into the shadow. */
static inline __attribute__((always_inline)) bool notify_read_cpu(struct notify *n, struct vm *vm, enum vmcs_field f, uint64_t *v)
{
	if (n->current != vm)
		return false;
	struct vmx_result r = vmcs_read(f, v);
	return notify_read_done(n, vm, f, r, *v);
}

/* VMREAD through the shadow: known fields cost no instruction. */
static inline __attribute__((always_inline)) bool notify_read(struct notify *n, struct vm *vm, enum vmcs_field f, uint64_t *v)
{
	if (shadow_known(&vm->shadow, f)) {
		*v = shadow_get(&vm->shadow, f);
		return true;
	}
	return notify_read_cpu(n, vm, f, v);
}

/* Everything before the next entry's VMLAUNCH/VMRESUME (VMCLEAR, VMPTRLD,
 * set-up or pending VMWRITEs), without entering. */
bool notify_prepare(struct notify *n, struct vm *vm);
/* VMCLEAR (traced with kind=first|last|...), flush+free the cache slot. */
bool notify_clear(struct notify *n, struct vm *vm, const char *kind);

/* The VM will never run again: VMCLEAR (kind=last), free its cache slot.
 * Refused (false, a trace line) when its VMCS is active on another
 * processor: the VM ends where it last ran. */
bool notify_last(struct notify *n, struct vm *vm);

/* The move protocol (notify_move.c, docs/smp-moves.md). */

/* n speaks for processor cpu; ask and host_percpu as in struct notify_smp. */
void notify_set_cpu(struct notify *n, unsigned cpu, notify_ask_clear_fn ask, void *ask_ctx,
		    vmcs_setup_fn host_percpu);
/* On the processor where vm's VMCS is active: VMCLEAR it (kind=move), its
 * cache slot flushed and freed, so that another processor may load it. True
 * when it is active nowhere afterwards. */
bool notify_release(struct notify *n, struct vm *vm);
/* Before n's processor makes vm's VMCS current: when it is active on
 * another processor, ask that one to clear it (a move, traced ev=move);
 * without ask_clear, or when the clear did not happen, refuse (ENTRY_REFUSED
 * in r, the reason traced with sdm=25.11.1) before any instruction. */
bool notify_claim(struct notify *n, struct vm *vm, struct entry_result *r);

#endif
