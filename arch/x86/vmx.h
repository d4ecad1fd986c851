/* The one seam between the hypervisor and VMX: every VMX instruction the
 * VMM issues, as a function that returns the SDM's outcome (VMsucceed,
 * VMfailInvalid, or VMfailValid with the VM-instruction error number;
 * SDM Vol. 3C 31.2, 31.4). The caller must look at it.
 *
 * Two implementations, chosen at link time: arch/x86/vmx.c issues the
 * instructions (the images, built with link-time optimisation so that
 * VMREAD and VMWRITE inline into their callers), arch/fake/vmx.c keeps
 * VMCS regions in memory for host unit tests, fuzzers and the profiler
 * (arch/fake/fake_cpu.h scripts what a VM exit brings). The same code of
 * vmm/ runs on both. */
#ifndef ARCH_X86_VMX_H
#define ARCH_X86_VMX_H
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_types.h"
#include "arch/x86/vmcs_fields.h"

#define MUST_CHECK __attribute__((warn_unused_result))

/* The capabilities: CPUID (vendor, VMX, widths, RTM, CET, PMU) and, when
 * VMX is there and IA32_FEATURE_CONTROL allows it, the VMX MSRs. The one
 * reader of them. */
void vmx_caps_read(struct vmx_caps *c);
/* Lock IA32_FEATURE_CONTROL with VMXON enabled if firmware left it open. */
void vmx_enable_feature_control(void);

/* CR0/CR4 fixed bits, CR4.VMXE, then VMXON on a region holding the revision
 * id (SDM 24.11.5). */
struct vmx_result vmx_on(uint64_t region_pa, const struct vmx_caps *c) MUST_CHECK;
struct vmx_result vmx_off(void) MUST_CHECK;
struct vmx_result vmx_clear(uint64_t vmcs_pa) MUST_CHECK;
struct vmx_result vmx_ptrld(uint64_t vmcs_pa) MUST_CHECK;
struct vmx_result vmx_read(uint32_t encoding, uint64_t *value) MUST_CHECK;
struct vmx_result vmx_write(uint32_t encoding, uint64_t value) MUST_CHECK;
struct vmx_result vmx_invept_global(void) MUST_CHECK;
/* The two halves of vmx_read and vmx_write, for a hot path that must make
 * no call when they succeed (vmm/fastpath/): try issues the instruction
 * and tells success; after a false try, why gives the result vmx_read or
 * vmx_write would have returned (on x86 by issuing it again through the
 * checking form, which a failed VMREAD or VMWRITE allows: it changed
 * nothing, SDM Vol. 3C 31.2, 31.4), and a read's value 0. */
bool vmx_read_try(uint32_t encoding, uint64_t *value) MUST_CHECK;
struct vmx_result vmx_read_why(uint32_t encoding, uint64_t *value) MUST_CHECK;
bool vmx_write_try(uint32_t encoding, uint64_t value) MUST_CHECK;
struct vmx_result vmx_write_why(uint32_t encoding, uint64_t value) MUST_CHECK;
/* The time stamp counter (RDTSC): what the costs are measured in. */
uint64_t vmx_now(void);
/* WRMSR of an MSR the guest owns while it runs and no VMCS field
 * switches (a PC guest's SYSCALL MSRs, vmm/pc/pc_msr.c). */
void vmx_guest_msr_load(uint32_t msr, uint64_t value);

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
/* HOST_RSP for every VMCS this CPU enters: the top of its exit stack,
 * 16-byte aligned, with VMX_EXIT_BLOCK bytes above it that the entry stub
 * keeps the entry in progress in (arch/x86/vmx_entry.asm). */
#define VMX_EXIT_BLOCK 48
uint64_t vmx_exit_rsp(void);

/* The accessors the VMM uses: a field of the table (its encoding and
 * width from there; a value wider than the field is cut to it). */
static inline MUST_CHECK struct vmx_result vmcs_read(enum vmcs_field f, uint64_t *value)
{
	return vmx_read(vmcs_field_encoding(f), value);
}

static inline MUST_CHECK struct vmx_result vmcs_write(enum vmcs_field f, uint64_t value)
{
	return vmx_write(vmcs_field_encoding(f), value & vmcs_field_mask(f));
}

static inline MUST_CHECK bool vmcs_read_try(enum vmcs_field f, uint64_t *value)
{
	return vmx_read_try(vmcs_field_encoding(f), value);
}

static inline MUST_CHECK bool vmcs_write_try(enum vmcs_field f, uint64_t value)
{
	return vmx_write_try(vmcs_field_encoding(f), value & vmcs_field_mask(f));
}

static inline MUST_CHECK struct vmx_result vmcs_read_why(enum vmcs_field f, uint64_t *value)
{
	return vmx_read_why(vmcs_field_encoding(f), value);
}

static inline MUST_CHECK struct vmx_result vmcs_write_why(enum vmcs_field f, uint64_t value)
{
	return vmx_write_why(vmcs_field_encoding(f), value & vmcs_field_mask(f));
}

#endif
