/* make bench's floor flavour 1 (never the image make run boots): linked in
 * place of vmm/fastpath/again.c. A CPUID exit is handled as always (the
 * exit begun, counted, the handler run), but the next entry skips the
 * shadow's work: no validation, no cache model, no entry counters. What
 * the shadow's part of a round trip costs is the default build minus
 * this one. */
#include "vmm/fastpath/again.h"

static bool floor1(void *hook)
{
	struct fastpath *fp = fastpath_of(hook);
	return fastpath_round_trip(fp, fastpath_sched_exit, fp->ctx, NULL, false);
}

bool fastpath_again_replay(void *hook)
{
	return floor1(hook);
}

bool fastpath_again_plain(void *hook)
{
	return floor1(hook);
}
