/* Round-robin scheduler over the runnable VMs. A time slice ends when the
 * VMX-preemption timer fires, the guest yields (VMCALL), or after
 * SCHED_SLICE_EXITS exits (the fallback when the timer is not saved across
 * exits). */
#ifndef VMM_SCHED_H
#define VMM_SCHED_H
#include "notify.h"

#define SCHED_SLICE_EXITS 64
#define SCHED_MAX_ENTRIES 400000   /* whole run: a hang becomes an error */

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
/* Stop or finish a VM: flush its output, VMCLEAR it, print its end line. */
void sched_end_vm(struct sched *s, struct vm *vm, enum vm_state st);

#endif
