/* Rules on logical processors and moves (docs/smp-moves.md). Each line's
 * cpu= names the processor that printed it; a line without it is
 * processor 0, so a single-processor trace keeps them trivially.
 *   one-cpu           a VM's VMCS is active on one processor at a time: no
 *                     vmptrld, vmclear or entry of it on another processor
 *                     before a vmclear where it is active (SDM Vol. 3C
 *                     25.11.1)
 *   move-order        ev=move from=A to=B comes after the VM's vmclear on A
 *                     (none active since), is printed by B, and the VM's
 *                     next vmptrld is on B
 *   launch-after-move the VM's first entry after a move is insn=vmlaunch
 *                     kind=moved checks=all; kind=moved only after a move
 *   cpu-counters      each hv ev=cpu_stats of=N counts what the lines of
 *                     processor N show, and the cpu_stats lines add up to
 *                     hv ev=summary
 * None is checked with trace=summary: it has no per-entry lines. */
#ifndef SVTRACE_CHECK_CPU_H
#define SVTRACE_CHECK_CPU_H

#include <stdint.h>

#include "check_life.h"
#include "events.h"
#include "stats.h"

struct smp_vm;

struct smp {
	struct smp_vm *vm;          /* indexed by id */
	size_t cap;
	uint64_t sum[C_COUNT];      /* the cpu_stats lines so far, added */
	int nstats;                 /* cpu_stats lines so far */
	int summary_only;
	life_report_fn report;
	void *ctx;
};

void smp_init(struct smp *m, life_report_fn report, void *ctx);
void smp_free(struct smp *m);
/* Feed every valid event in order, before stats_feed sees it. */
void smp_event(struct smp *m, long line, const struct trace_event *ev, const struct trace_stats *st);
/* Has VM id moved, with no entry since? (Its next entry is the move's
 * VMLAUNCH, which check.c's one-launch rule leaves to this module.) */
int smp_move_pending(const struct smp *m, unsigned id);

#endif
