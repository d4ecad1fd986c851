/* The VMs on every CPU that can run them (docs/smp.md): per CPU its own
 * notify, cache model, host state, fast path and scheduler, all over the
 * same VMs (vmm/migrate.h says which CPU runs which); the boot CPU runs
 * its share and waits for the others. And the differential mode on the
 * CPU asked for. */
#ifndef VMM_RUN_H
#define VMM_RUN_H
#include <stdint.h>
#include "vmm/config.h"
#include "vmm/vm.h"

struct run_env {
	const struct config *cfg;
	const struct vmx_caps *caps;
	uint64_t own_lo, own_hi;        /* the page pool: what the checks may read */
	uint64_t tsc_boot;
	void (*release)(struct vm *vm); /* a finished VM's memory (under the world's lock) */
};

/* Run vms[0..count) on CPUs 0..ncpus-1 to their end, then the reports. */
void run_vms(const struct run_env *e, struct vm *vms, unsigned count, unsigned ncpus);

/* The notify of CPU cpu, made ready for it (on that CPU: its host state),
 * for the differential mode. */
struct notify *run_notify_on(const struct run_env *e, unsigned cpu);

#endif
