/* The fast path: an optimisation, in one room. At a VM exit, while the
 * entry stub's host stack is still wound, an exit the scheduler would
 * handle and continue (CPUID) is handled right there and the VM resumed at
 * once: the same notification steps (vmm/notify_steps.h), the same shadow
 * checks, cache model and counters as the scheduler's loop, fewer host
 * instructions. On top of it the replay: a CPUID round trip that left a
 * steady state (fastpath_replay_arm) is repeated with only what changes.
 * It reaches notify, the scheduler and the shadow through their named
 * functions only; fastpath=off leaves notify without a hook. */
#ifndef VMM_FASTPATH_FASTPATH_H
#define VMM_FASTPATH_FASTPATH_H
#include <stdbool.h>
#include <stdint.h>
#include "vmm/notify.h"

/* A handler's answer at an exit: leave the exit to the caller of
 * notify_enter, resume at once, or any other enum exit_action: the exit
 * was handled and the caller acts on it (entry_result.handled, .act). */
#define FASTPATH_DECLINE (-1)
#define FASTPATH_RESUME 0
typedef int (*fastpath_handler_fn)(void *ctx, struct vm *vm, uint32_t reason);

struct sched;

struct fastpath {
	struct notify_hook hook;    /* notify's view of it (first member) */
	struct notify *n;
	fastpath_handler_fn handler;   /* fastpath_attach's; the scheduler's is compiled in */
	void *ctx;                  /* the handler's context, or the scheduler */
	/* The replay: the VM whose last round trip may be repeated at its next
	 * exit, or NULL. Armed only inside one entry stub loop: whatever ends
	 * the loop disarms it (after). */
	bool replay_on;
	struct vm *replay;
	uint64_t replay_k;          /* round trips replayed, not yet counted */
	uint64_t replay_max;        /* ...at most: the slice's and the budget's room */
	bool cpuid_before;          /* the last exit in this stub loop was a CPUID continued */
	/* From caps, once, for the replay's RIP rule (entry_rip_passes_unread). */
	bool lma_saved;
	unsigned char rip_shift;
	uint64_t entries;           /* entries made by the fast path */
	uint64_t replay_entries;    /* of them, those made by a replay */
};

/* The scheduler's fast path: the exits it handles and continues (CPUID)
 * handled at the exit with its accounting (vmm/sched.h), the replay on or
 * off (fastpath=noreplay). */
void fastpath_attach_sched(struct fastpath *fp, struct notify *n, struct sched *s, bool replay);
/* Any handler, called through the pointer (host unit tests). */
void fastpath_attach(struct fastpath *fp, struct notify *n, fastpath_handler_fn handler, void *ctx);

#endif
