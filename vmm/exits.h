/* VM-exit dispatch: one small handler per exit reason. */
#ifndef VMM_EXITS_H
#define VMM_EXITS_H
#include "notify.h"

enum exit_action {
	ACT_CONTINUE,   /* resume this VM */
	ACT_YIELD,      /* give the CPU to the next VM */
	ACT_DONE,       /* the guest finished (HLT, HC_EXIT) */
	ACT_STOP,       /* the guest misbehaved: stop it, vm->why says why */
};

enum exit_action exits_handle(struct notify *n, struct vm *vm, uint32_t reason);
/* May this exit be handled on the fast path (at the exit, on the exit
 * stack)? Only exits whose handler prints nothing and ends nothing in the
 * common case: CPUID. */
static inline bool exits_fast(uint32_t reason)
{
	return reason == EXIT_cpuid;
}
/* Print what is left in the guest's console buffer. */
void exits_flush_output(struct vm *vm);
/* At a VM's end: one out_dropped line if output was rate-limited. */
void exits_report_dropped(struct vm *vm);

#endif
