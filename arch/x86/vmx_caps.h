/* What the processor allows, as plain data: filled from the VMX capability
 * MSRs by arch/x86 (vmx_caps_read), or by hand in host unit tests.
 * Pure C: the shadow's checks read only this, never an MSR. */
#ifndef SHADOW_VMX_CAPS_H
#define SHADOW_VMX_CAPS_H
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/vmx_controls.h"

/* allowed-0 settings in bits 31:0 (bits that must be 1), allowed-1 in 63:32
 * (bits that may be 1), as in IA32_VMX_*_CTLS (SDM Vol. 3D A.3-A.5). */
struct vmx_ctl_cap {
	uint32_t must_be_1;
	uint32_t may_be_1;
};

struct vmx_caps {
	char vendor[13];            /* CPUID.0: "GenuineIntel" */
	bool vmx;                   /* CPUID.1:ECX.VMX[bit 5] */
	uint64_t feature_control;   /* IA32_FEATURE_CONTROL (0x3a) */
	/* Locked with VMX outside SMX off: the MSRs below are not read. */
	bool feature_locked_off;
	uint64_t basic;             /* IA32_VMX_BASIC (0x480) */
	struct vmx_ctl_cap pin;     /* TRUE_PINBASED (0x48d) or PINBASED (0x481) */
	struct vmx_ctl_cap proc;    /* TRUE_PROCBASED (0x48e) or 0x482 */
	struct vmx_ctl_cap proc2;   /* PROCBASED_CTLS2 (0x48b) */
	struct vmx_ctl_cap exit;    /* TRUE_EXIT (0x48f) or 0x483 */
	struct vmx_ctl_cap entry;   /* TRUE_ENTRY (0x490) or 0x484 */
	uint64_t misc;              /* IA32_VMX_MISC (0x485) */
	uint64_t cr0_fixed0, cr0_fixed1; /* 0x486, 0x487 */
	uint64_t cr4_fixed0, cr4_fixed1; /* 0x488, 0x489 */
	uint64_t ept_vpid_cap;      /* IA32_VMX_EPT_VPID_CAP (0x48c) */
	uint64_t vmfunc;            /* IA32_VMX_VMFUNC (0x491): VM functions allowed */
	unsigned maxphyaddr;        /* CPUID.80000008H:EAX[7:0] */
	unsigned linaddr_bits;      /* CPUID.80000008H:EAX[15:8]; 0 reads as 48 (vmx_linaddr_bits) */
	int rtm;                    /* CPUID.(EAX=07H,ECX=0):EBX[11] */
	int cet;                    /* CPUID.(EAX=07H,ECX=0):ECX[7] or EDX[20]: #CP has an error code */
	/* The bits IA32_PERF_GLOBAL_CTRL has (CPUID leaf 0AH, version 2 or
	 * later: one enable per general-purpose counter from bit 0, per fixed
	 * counter from bit 32, EDX[4:0] of them or, from version 5, those ECX
	 * lists); every other bit counts as reserved. Not modelled: bit 48
	 * (PERF_METRICS), which IA32_PERF_CAPABILITIES enumerates, an MSR this
	 * code does not read (Bochs 2.7 reports PDCM but has no such MSR). */
	uint64_t perf_global_valid;
};

/* The processor's linear-address width N (48, or 57 with 5-level paging):
 * the canonical checks and the guest-RIP rule depend on it. */
static inline unsigned vmx_linaddr_bits(const struct vmx_caps *c)
{
	unsigned n = c->linaddr_bits;
	return n >= 32 && n <= 64 ? n : 48;    /* 0 (unknown) or nonsense: 48 */
}

/* The VMCS revision identifier a VMXON region or VMCS starts with
 * (IA32_VMX_BASIC bits 30:0; SDM Vol. 3C 25.2). */
static inline uint32_t vmx_revision_id(const struct vmx_caps *c)
{
	return (uint32_t)(c->basic & BASIC_REVISION_MASK);
}

/* What the processor offers that the VMM needs or uses, from the
 * allowed-1 settings (the TRUE_* MSRs report the same ones) and
 * IA32_VMX_EPT_VPID_CAP. */
static inline bool vmx_has_ept(const struct vmx_caps *c)     { return c->proc2.may_be_1 & PROC2_EPT; }
static inline bool vmx_has_vpid(const struct vmx_caps *c)    { return c->proc2.may_be_1 & PROC2_VPID; }
static inline bool vmx_has_ug(const struct vmx_caps *c)      { return c->proc2.may_be_1 & PROC2_UNRESTRICTED; }
static inline bool vmx_has_ptimer(const struct vmx_caps *c)  { return c->pin.may_be_1 & PIN_PREEMPTION_TIMER; }
static inline bool vmx_has_save_ptimer(const struct vmx_caps *c)
{
	return c->exit.may_be_1 & EXIT_SAVE_PREEMPTION_TIMER;
}
static inline bool vmx_has_ept_2mb(const struct vmx_caps *c) { return c->ept_vpid_cap & EPTCAP_2MB; }
static inline bool vmx_has_invept_all(const struct vmx_caps *c)
{
	return (c->ept_vpid_cap & EPTCAP_INVEPT) && (c->ept_vpid_cap & EPTCAP_INVEPT_ALL);
}

/* The first capability MSR (or IA32_FEATURE_CONTROL) whose value differs
 * between two processors' reads, by its SDM name, or NULL when they agree
 * (arch/x86/vmx_caps_diff.c). A processor that differs from the boot CPU
 * is not given VMX work: one VMCS set-up serves every CPU. */
const char *vmx_caps_differ(const struct vmx_caps *a, const struct vmx_caps *b);

/* Adjust a wanted control value to what the processor allows. */
static inline uint32_t vmx_ctl_adjust(struct vmx_ctl_cap c, uint32_t want)
{
	return (want | c.must_be_1) & c.may_be_1;
}

#endif
