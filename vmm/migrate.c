/* Which processor runs which VM, and the moves between them. */
#include "vmm/migrate.h"
#include "vmm/sched.h"
#include "vmm/fmt.h"
#include <string.h>

bool migrate_parse(const char *s, unsigned len, struct migrate_config *c)
{
	if (len == 4 && !memcmp(s, "none", 4)) {
		*c = (struct migrate_config){ MIGRATE_NONE, 0 };
		return true;
	}
	if (len == 7 && !memcmp(s, "balance", 7)) {
		*c = (struct migrate_config){ MIGRATE_BALANCE, 0 };
		return true;
	}
	if (len < 7 || memcmp(s, "every:", 6))
		return false;
	uint32_t k = 0;
	for (unsigned i = 6; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || k > 100000)
			return false;
		k = k * 10 + (uint32_t)(s[i] - '0');
	}
	if (!k)
		return false;
	*c = (struct migrate_config){ MIGRATE_EVERY, k };
	return true;
}

void migrate_format(const struct migrate_config *c, char *buf, unsigned size)
{
	if (c->kind == MIGRATE_EVERY)
		fmt(buf, size, "every:%u", c->every);
	else
		fmt(buf, size, "%s", c->kind == MIGRATE_BALANCE ? "balance" : "none");
}

void migrate_world_init(struct sched_world *w, unsigned ncpus, const struct migrate_config *c,
			struct vm *vms, unsigned count)
{
	memset(w, 0, sizeof(*w));
	w->ncpus = ncpus ? ncpus : 1;
	w->mig = *c;
	w->live = count;
	for (unsigned i = 0; i < count; i++) {
		vms[i].owner = i % w->ncpus;
		vms[i].slices_here = 0;
		vms[i].wanted = 0;
	}
}

/* vm, owned by s's processor and not running, goes to processor to: its
 * VMCS released here first. A release that fails (never seen: the VMCS is
 * active here) keeps it here. */
static void give(struct sched *s, struct vm *vm, unsigned to)
{
	if (!notify_release(s->n, vm))
		return;
	vm->owner = to;
	vm->slices_here = 0;
	s->w->moves++;
}

void migrate_give_wanted(struct sched *s)
{
	if (s->w->mig.kind != MIGRATE_BALANCE)
		return;
	for (unsigned i = 0; i < s->count; i++) {
		struct vm *vm = &s->vms[i];
		if (vm->owner == s->cpu && vm->wanted) {
			if (vm->state == VM_RUNNABLE)
				give(s, vm, vm->wanted - 1);
			vm->wanted = 0;
		}
	}
}

/* Runnable VMs processor cpu owns. */
static unsigned owned(const struct sched *s, unsigned cpu)
{
	unsigned k = 0;
	for (unsigned i = 0; i < s->count; i++)
		k += s->vms[i].owner == cpu && s->vms[i].state == VM_RUNNABLE;
	return k;
}

void migrate_ask(struct sched *s)
{
	if (s->w->mig.kind != MIGRATE_BALANCE)
		return;
	for (unsigned i = 0; i < s->count; i++) {
		struct vm *vm = &s->vms[i];
		if (vm->wanted == s->cpu + 1)
			return;                 /* asked already */
	}
	for (unsigned i = 0; i < s->count; i++) {
		struct vm *vm = &s->vms[i];
		if (vm->state == VM_RUNNABLE && vm->owner != s->cpu && !vm->wanted && owned(s, vm->owner) > 1) {
			vm->wanted = s->cpu + 1;
			return;
		}
	}
}

void migrate_after_slice(struct sched *s, struct vm *vm)
{
	struct sched_world *w = s->w;
	if (!w || w->mig.kind != MIGRATE_EVERY || w->ncpus < 2 || vm->state != VM_RUNNABLE)
		return;
	if (++vm->slices_here < w->mig.every)
		return;
	spin_lock(&w->lock);
	give(s, vm, (s->cpu + 1) % w->ncpus);
	spin_unlock(&w->lock);
}
