/* Rules on a VM's life that cross-check events against each other, so that
 * one deleted line shows:
 *   create-first         a VM's first event is its ev=create
 *   vm-end               a VM run to a clean halt has an ev=end, and no
 *                        entry or exit follows it
 *   hypercall-per-vmcall every exit reason=vmcall is followed by the VM's
 *                        ev=hypercall before its next entry, exit or end
 *   dirty-matches-writes an entry with checks=dirty lists in dirty= exactly
 *                        the fields of the VM's ev=vmwrite lines since its
 *                        previous entry
 *   setup-writes-match   a VM writes before its first entry the same fields
 *                        as the first VM of its mode did (the whole-VMCS
 *                        set-up)
 * The last three need the per-entry events: not checked with trace=summary. */
#ifndef SVTRACE_CHECK_LIFE_H
#define SVTRACE_CHECK_LIFE_H

#include "parse.h"

typedef void (*life_report_fn)(void *ctx, long line, const char *rule, const char *msg);

struct life_vm;
struct life_setup;

struct life {
	struct life_vm *vm;     /* indexed by id */
	size_t cap;
	struct life_setup *setups;  /* one per guest mode */
	size_t nsetups;
	int summary_only;
	life_report_fn report;
	void *ctx;
};

void life_init(struct life *l, life_report_fn report, void *ctx);
void life_free(struct life *l);
/* Feed every valid event in order. */
void life_event(struct life *l, long line, const struct trace_event *ev);
/* At the first hv ev=halt; ok: its status is ok. */
void life_halt(struct life *l, long line, int ok);

#endif
