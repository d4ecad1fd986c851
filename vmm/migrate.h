/* VMs on several processors (docs/smp.md): each processor's scheduler runs
 * the VMs it owns; a VM changes owner only through its owner, which first
 * releases its VMCS there (VMCLEAR, notify_release: SDM Vol. 3C 25.11.1),
 * so the new owner's first entry is a VMLAUNCH after VMPTRLD. How VMs
 * move is the migrate= option:
 *   none     pinned: VM i stays on processor i mod N;
 *   every:K  after K slices on a processor, a VM moves to the next one
 *            (migration exercised on purpose);
 *   balance  an idle processor asks for a runnable VM of a processor that
 *            has more than one; the owner gives it at its next slice
 *            boundary. */
#ifndef VMM_MIGRATE_H
#define VMM_MIGRATE_H
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/spinlock.h"

struct sched;
struct vm;

enum migrate_kind { MIGRATE_NONE, MIGRATE_EVERY, MIGRATE_BALANCE };

struct migrate_config {
	enum migrate_kind kind;
	uint32_t every;             /* K of every:K */
};

/* What the processors' schedulers share. */
struct sched_world {
	struct spinlock lock;       /* owners, wanted, live, the page pool */
	unsigned ncpus;
	struct migrate_config mig;
	volatile unsigned live;     /* VMs not ended yet */
	uint64_t moves;             /* VMs given to another processor */
};

/* "none", "every:K" (K >= 1), "balance"; false for anything else. */
bool migrate_parse(const char *s, unsigned len, struct migrate_config *c);
/* Into buf: "none", "every:K" or "balance". */
void migrate_format(const struct migrate_config *c, char *buf, unsigned size);

/* A world of ncpus processors over vms[0..count): VM i on processor
 * i mod ncpus, every VM live. */
void migrate_world_init(struct sched_world *w, unsigned ncpus, const struct migrate_config *c,
			struct vm *vms, unsigned count);

/* Under w's lock, before this processor picks its next VM: give the VMs
 * others asked for (balance) to them. */
void migrate_give_wanted(struct sched *s);
/* Under w's lock, when this processor has no runnable VM: ask a busy one
 * for one (balance). */
void migrate_ask(struct sched *s);
/* After a slice of vm that left it runnable: move it on (every:K). */
void migrate_after_slice(struct sched *s, struct vm *vm);

#endif
