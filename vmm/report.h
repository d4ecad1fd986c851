/* The hypervisor's reports on the trace: its configuration, the VMX
 * self-test, and at the end the counters (summary, per-VM stats), what
 * each exit reason cost and where the time went (make bench). */
#ifndef VMM_REPORT_H
#define VMM_REPORT_H
#include <stdint.h>
#include "vmm/config.h"
#include "vmm/notify.h"
#include "vmm/fastpath/fastpath.h"
#include "arch/x86/vmx_selftest.h"

void report_config(const struct config *cfg);
void report_selftest(const struct vmx_selftest *t);
/* Per VM, per logical processor (cpus: each processor's notify, with its
 * own cache model), then the totals. */
void report_summary(const struct vm *vms, unsigned count, struct notify *const *cpus, unsigned ncpus);
/* tsc_boot: the firmware's hand-off, for boot_to_first_entry. */
void report_costs(const struct notify_costs *c, const struct vm *vms, unsigned count, uint64_t tsc_boot,
		  const struct fastpath *fast);

#endif
