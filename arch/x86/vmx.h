/* VMX instruction wrappers. Each returns a status the caller must look at:
 * success, VMfailInvalid (no current VMCS), or VMfailValid with the
 * VM-instruction error number read from the current VMCS (SDM Vol. 3C
 * 31.2 "Conventions", 31.4 "VM Instruction Error Numbers"). */
#ifndef ARCH_X86_VMX_H
#define ARCH_X86_VMX_H
#include <stdbool.h>
#include <stdint.h>
#include "vmm/shadow/vmx_caps.h"
#include "vmm/vmx_types.h"

#define MUST_CHECK __attribute__((warn_unused_result))

/* Capability report: CPUID and the VMX MSRs. */
struct vmx_support {
	char vendor[13];
	bool vmx;                 /* CPUID.1:ECX.VMX[bit 5] */
	bool feature_locked_off;  /* IA32_FEATURE_CONTROL locked with VMX off */
	uint64_t feature_control;
	bool ept, ug, vpid, ptimer, save_ptimer, invept_global;
};

void vmx_probe(struct vmx_support *s);
/* Lock IA32_FEATURE_CONTROL with VMXON enabled if firmware left it open. */
void vmx_enable_feature_control(void);
void vmx_caps_read(struct vmx_caps *c);

/* CR0/CR4 fixed bits, CR4.VMXE, then VMXON on a region holding the revision
 * id (SDM 24.11.5). */
struct vmx_result vmx_on(uint64_t region_pa, const struct vmx_caps *c) MUST_CHECK;
struct vmx_result vmx_off(void) MUST_CHECK;
struct vmx_result vmx_clear(uint64_t vmcs_pa) MUST_CHECK;
struct vmx_result vmx_ptrld(uint64_t vmcs_pa) MUST_CHECK;
struct vmx_result vmx_read(uint32_t encoding, uint64_t *value) MUST_CHECK;
struct vmx_result vmx_write(uint32_t encoding, uint64_t value) MUST_CHECK;
struct vmx_result vmx_invept_global(void) MUST_CHECK;

/* VMLAUNCH (launch) or VMRESUME with the guest registers loaded. Returns
 * VMX_OK after a VM exit (the registers hold the guest's), or the failure.
 * again (may be NULL) runs at each VM exit before the host stack unwinds;
 * when it returns true the guest is resumed at once (VMRESUME) and the
 * next exit calls it again. A failure of such a VMRESUME is returned. */
struct vmx_result vmx_enter(struct guest_regs *regs, bool launch, bool (*again)(void *ctx),
			    void *ctx) MUST_CHECK;
/* The same, issued right after a MOV SS (blocking by MOV SS), which the
 * SDM fails with VMfailValid 26 before any other check on the VMCS: for
 * the differential mode's life-cycle cases only. */
struct vmx_result vmx_enter_after_movss(struct guest_regs *regs, bool launch) MUST_CHECK;
/* HOST_RIP for every VMCS. */
uint64_t vmx_exit_rip(void);
/* HOST_RSP for every VMCS: top of the exit stack. */
uint64_t vmx_exit_rsp(void);

#endif
