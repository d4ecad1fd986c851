/* A check of the hot path's VMREAD/VMWRITE against the CPU, run once after
 * VMXON (hv_main prints it as `hv ev=vmx_selftest`). */
#ifndef ARCH_X86_VMX_SELFTEST_H
#define ARCH_X86_VMX_SELFTEST_H
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/vmx_types.h"

struct vmx_selftest {
	struct vmx_result setup;       /* VMCLEAR/VMPTRLD/VMCLEAR of the scratch VMCS */
	struct vmx_result write_bad;   /* VMWRITE of an unsupported encoding: VMfailValid 12 */
	struct vmx_result read_bad;    /* VMREAD of an unsupported encoding: VMfailValid 12 */
	struct vmx_result write_ro;    /* VMWRITE of the exit-reason field: VMfailValid 13, */
	bool write_ro_allowed;         /*   or ok where IA32_VMX_MISC[29] allows it */
	bool roundtrip;                /* guest RIP written and read back */
	struct vmx_result no_current;  /* VMREAD with no current VMCS: VMfailInvalid */
	bool ok;                       /* all of the above as the SDM says */
};

/* scratch_pa: a free page (identity-mapped), left with no VMCS current;
 * misc: IA32_VMX_MISC. */
void vmx_selftest(uint64_t scratch_pa, uint32_t revision, uint64_t misc, struct vmx_selftest *t);

#endif
