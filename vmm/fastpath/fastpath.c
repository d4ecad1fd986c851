/* The fast path's set-up and the replay's bookkeeping. */
#include "vmm/fastpath/again.h"
#include "vmm/shadow/entry_checks.h"
#include <string.h>

/* The stub's loop ended: a counted replay is added to the counters. */
static void after(void *hook)
{
	fastpath_replay_end(fastpath_of(hook));
	fastpath_of(hook)->cpuid_before = false;
}

/* The generic again: the handler through its pointer. */
static bool again_generic(void *hook)
{
	struct fastpath *fp = fastpath_of(hook);
	return fastpath_round_trip(fp, fp->handler, fp->ctx, NULL, true);
}

static void attach(struct fastpath *fp, struct notify *n, bool (*again)(void *), void *ctx)
{
	memset(fp, 0, sizeof(*fp));
	fp->n = n;
	fp->ctx = ctx;
	fp->hook.again = again;
	fp->hook.after = after;
	fp->lma_saved = n->caps->misc & MISC_EXIT_SAVES_LMA;
	fp->rip_shift = (unsigned char)linaddr_shift(vmx_linaddr_bits(n->caps));
	n->hook = &fp->hook;
}

void fastpath_attach_sched(struct fastpath *fp, struct notify *n, struct sched *s, bool replay)
{
	attach(fp, n, replay ? fastpath_again_replay : fastpath_again_plain, s);
	fp->replay_on = replay;
}

void fastpath_attach(struct fastpath *fp, struct notify *n, fastpath_handler_fn handler, void *ctx)
{
	attach(fp, n, again_generic, ctx);
	fp->handler = handler;
}

/* Did the round trip just made leave the steady state, in which every
 * further CPUID round trip leaves the shadow, the validation memo and the
 * cache model in the same shape: only guest RIP dirty, its one check the
 * row guest.rip.high, the shadow knowing no guest field but RIP and no
 * exit field but the reason and the length, the VM holding a clean cache
 * slot? Then arm the replay: the next round trip needs only what changes
 * (RIP's and the length's values and the row's rule on the new RIP), and
 * its counts are all the same, so they are kept as one number (replay_k,
 * at most room: what the slice and the run's budget leave,
 * sched_exits_room) and added by fastpath_replay_end, which whatever ends
 * the replay calls first. */
bool fastpath_replay_arm(struct fastpath *fp, struct vm *vm, uint64_t room)
{
	if (!fp->replay_on || !room || !shadow_replay_steady(&vm->shadow) ||
	    !validate_memo_only(&vm->memo, VMCS_guest_rip, entry_check_guest_rip) || !pmr_holds_clean_slot(fp->n->pmr, vm->id))
		return false;
	fp->replay = vm;
	fp->replay_max = room;
	return true;
}

/* What each replayed round trip did, k times, into the counters: the
 * scheduler's (the replay runs only with fastpath_attach_sched's) and
 * notify's. */
static __attribute__((noinline)) void replay_count(struct fastpath *fp, struct vm *vm, uint64_t k)
{
	sched_count_exits(fp->ctx, vm, EXIT_cpuid, k);
	notify_replayed(fp->n, vm, k);
	fp->entries += k;
	fp->replay_entries += k;
}

/* Called at every return of the entry stub: only a counted replay costs
 * more than two stores. */
void fastpath_replay_end(struct fastpath *fp)
{
	uint64_t k = fp->replay_k;
	struct vm *vm = fp->replay;
	fp->replay = NULL;
	fp->replay_k = 0;
	if (k)
		replay_count(fp, vm, k);
}
