/* The processors beside the boot CPU (docs/smp.md): found in the ACPI
 * MADT, started, held to the boot CPU's VMX capabilities, put in VMX
 * operation and parked; at the end, out of VMX operation again. The VMs
 * run on CPU 0 only; the others wait for work (arch/x86/smp.h). */
#ifndef VMM_CPUS_H
#define VMM_CPUS_H
#include "vmm/pagealloc.h"
#include "arch/x86/vmx_caps.h"

struct cpus_env {
	uint64_t acpi_rsdp;            /* from the boot path */
	uint64_t ap_page;              /* the start-up page below 1 MiB */
	unsigned want;                 /* cpus=: 0 for every enabled CPU */
	struct pagealloc *pool;        /* stacks, VMXON regions, start-up tables */
	const struct vmx_caps *caps;   /* the boot CPU's, read before its VMXON */
};

/* After the boot CPU's VMXON: one smp_cpu line per CPU used, then the smp
 * summary. A CPU that cannot be used is reported and left out; the run
 * goes on with the others. */
void cpus_start(const struct cpus_env *e);
/* The CPUs that can run VMs: 0..N-1, each in VMX operation (the boot CPU
 * and the application processors up to the first that is not). */
unsigned cpus_usable(void);
/* VMXOFF on every application processor in VMX operation (smp_vmxoff). */
void cpus_stop(void);

#endif
