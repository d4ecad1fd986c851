/* Round-robin scheduler over the runnable VMs. A time slice ends when the
 * VMX-preemption timer fires, the guest yields (VMCALL), or after
 * SCHED_SLICE_EXITS exits (the fallback when the timer is not saved across
 * exits). */
#ifndef VMM_SCHED_H
#define VMM_SCHED_H
#include "notify.h"

#define SCHED_SLICE_EXITS 64
#define SCHED_MAX_ENTRIES 400000   /* whole run: a hang becomes an error */
/* CPU budget of one VM: at most this many time slices in a run. A guest
 * that spins without ending (cli; jmp $) is stopped after it, so the run
 * ends. The longest demo guest (counter) needs about 450 at the default
 * quantum in Bochs; four times that leaves room for slower timers. */
#define SCHED_VM_SLICES 2000

struct sched {
	struct notify *n;
	struct vm *vms;
	unsigned count;
	uint32_t quantum;
	bool ptimer;
	uint64_t entries;
	/* Memory of a finished VM goes back here. */
	void (*release)(struct vm *vm);
};

void sched_run(struct sched *s);
/* The fast path (on by default in hv_main, fastpath=off turns it off):
 * exits that exits_fast() names are handled at the exit itself and the
 * VM is resumed without unwinding to this loop; with replay (off with
 * fastpath=noreplay) a CPUID round trip in its steady state is replayed.
 * Same decisions, same counters, fewer host instructions. */
void sched_fast_path(struct sched *s, bool on, bool replay);
/* Stop or finish a VM: flush its output, VMCLEAR it, print its end line. */
void sched_end_vm(struct sched *s, struct vm *vm, enum vm_state st);

#endif
