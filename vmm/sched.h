/* Round-robin scheduler over the runnable VMs. A time slice ends when the
 * VMX-preemption timer fires, the guest yields (VMCALL), or, while another
 * VM is runnable, after SCHED_SLICE_EXITS exits: the timer counts guest
 * time only, so a guest that exits often would otherwise keep the CPU for
 * long in host time. A VM alone has nobody to yield to: its slice ends at
 * the timer only, and the exit-count rule costs it nothing. */
#ifndef VMM_SCHED_H
#define VMM_SCHED_H
#include "vmm/notify.h"
#include "vmm/exits.h"
#include "vmm/fmt.h"
#include "vmm/trace.h"

#define SCHED_SLICE_EXITS 64
#define SCHED_SLICE_ALONE UINT64_MAX   /* never reached */
#define SCHED_MAX_ENTRIES 400000   /* whole run: a hang becomes an error */
/* CPU budget of one VM: at most this many time slices in a run. A guest
 * that spins without ending (cli; jmp $) is stopped after it, so the run
 * ends. The longest demo guest (counter) needs about 450 at the default
 * quantum in Bochs; four times that leaves room for slower timers. */
#define SCHED_VM_SLICES 2000
/* A PC guest (linux) boots a kernel: its budgets are larger, in slices
 * and, for each such VM, in entries added to the run's. */
#define SCHED_PC_SLICES 2000000
#define SCHED_PC_ENTRIES 20000000
/* An idle processor's wait for a VM, in PAUSEs, before it asks again
 * (migrate=balance) or looks under the lock. */
#define SCHED_IDLE_SPINS 1000

struct sched_world;

/* One processor's scheduler. With several processors each has its own,
 * over the same VMs, and they share a world (vmm/migrate.h); w NULL: one
 * processor, every VM its own. */
struct sched {
	struct notify *n;
	struct vm *vms;
	unsigned count;
	struct sched_world *w;
	unsigned cpu;               /* the processor it runs on (w's index) */
	unsigned next;              /* round robin: where the next search starts */
	uint32_t quantum;
	bool ptimer;
	uint64_t entries;
	uint64_t entries_extra;     /* added to SCHED_MAX_ENTRIES (PC guests) */
	/* Exits after which the running slice ends: SCHED_SLICE_EXITS while
	 * another VM is runnable, else SCHED_SLICE_ALONE (set per slice). */
	uint64_t slice_max;
	/* Memory of a finished VM goes back here. */
	void (*release)(struct vm *vm);
};

/* Run this processor's VMs until none is left to run: on one processor,
 * until every VM has ended; with a world, until every VM of every
 * processor has ended (an idle processor waits, or takes one: migrate). */
void sched_run(struct sched *s);
/* One slice of the next VM this processor runs; false when it has none. */
bool sched_step(struct sched *s);
/* Stop or finish a VM: flush its output, VMCLEAR it, print its end line. */
void sched_end_vm(struct sched *s, struct vm *vm, enum vm_state st);

/* The scheduler's accounting of one exit and one entry, inline: run_slice
 * uses it, and the fast path (vmm/fastpath/) does the same for the exits
 * it handles at the exit. */
void sched_trace_exit(struct notify *n, struct vm *vm, uint32_t reason);

/* One more entry within the run's budget? A hang becomes an error. */
static inline uint64_t sched_entries_max(const struct sched *s)
{
	return SCHED_MAX_ENTRIES + s->entries_extra;
}

static inline bool sched_budget_left(const struct sched *s)
{
	return s->entries < sched_entries_max(s);
}

static inline bool sched_entry_budget(struct sched *s, struct vm *vm)
{
	bool left = sched_budget_left(s);
	s->entries++;
	if (!left)
		fmt(vm->why, sizeof(vm->why), "entry limit %llu reached", (unsigned long long)sched_entries_max(s));
	return left;
}

/* An exit's count and trace line, before its handler runs. */
static inline void sched_count_exit(struct sched *s, struct vm *vm, uint32_t reason)
{
	vm->n.exits++;
	vm->n.by_reason[reason & (EXIT_REASON_LIMIT - 1)]++;
	if (trace_detail_on())
		sched_trace_exit(s->n, vm, reason);   /* trace=summary: no VMREAD for a dropped line */
}

/* Does the slice go on after one more exit the handler continues? */
static inline bool sched_slice_left(const struct sched *s, const struct vm *vm)
{
	return vm->slice_exits + 1 < s->slice_max;
}

/* The handler's verdict, and ACT_YIELD also when the slice is used up. */
static inline enum exit_action sched_slice_end(struct sched *s, struct vm *vm, enum exit_action act)
{
	if (act != ACT_CONTINUE)
		return act;
	bool left = sched_slice_left(s, vm);
	vm->slice_exits++;
	return left ? ACT_CONTINUE : ACT_YIELD;
}

/* How many more exits vm may have, each handled and continued, before
 * its slice or the run's entry budget ends: the fast path's replay counts
 * its round trips as one number and stops at this one (vmm/fastpath/).
 * 0 while per-exit lines are printed: each exit needs its own then. */
static inline uint64_t sched_exits_room(const struct sched *s, const struct vm *vm)
{
	if (trace_detail_on())
		return 0;
	uint64_t slice = s->slice_max - 1 > vm->slice_exits ? s->slice_max - 1 - vm->slice_exits : 0;
	uint64_t budget = s->entries < sched_entries_max(s) ? sched_entries_max(s) - s->entries : 0;
	return slice < budget ? slice : budget;
}

/* The same k exits' accounting at once: what sched_count_exit,
 * sched_slice_end and sched_entry_budget did for each, when none of them
 * ended the slice or printed a line. */
static inline void sched_count_exits(struct sched *s, struct vm *vm, uint32_t reason, uint64_t k)
{
	vm->n.exits += k;
	vm->n.by_reason[reason & (EXIT_REASON_LIMIT - 1)] += k;
	vm->slice_exits += k;
	s->entries += k;
}

#endif
