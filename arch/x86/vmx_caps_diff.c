/* vmx_caps_differ: the fields of struct vmx_caps read from an MSR, one row
 * each, compared in the order of the MSRs' addresses. Pure C. */
#include "arch/x86/vmx_caps.h"
#include <stddef.h>
#include <string.h>

static const struct {
	const char *msr;
	size_t off, size;
} caps_msrs[] = {
#define ROW(name, field) { name, offsetof(struct vmx_caps, field), sizeof(((struct vmx_caps *)0)->field) }
	ROW("IA32_FEATURE_CONTROL", feature_control),
	ROW("IA32_VMX_BASIC", basic),
	ROW("IA32_VMX_(TRUE_)PINBASED_CTLS", pin),
	ROW("IA32_VMX_(TRUE_)PROCBASED_CTLS", proc),
	ROW("IA32_VMX_(TRUE_)EXIT_CTLS", exit),
	ROW("IA32_VMX_(TRUE_)ENTRY_CTLS", entry),
	ROW("IA32_VMX_MISC", misc),
	ROW("IA32_VMX_CR0_FIXED0", cr0_fixed0),
	ROW("IA32_VMX_CR0_FIXED1", cr0_fixed1),
	ROW("IA32_VMX_CR4_FIXED0", cr4_fixed0),
	ROW("IA32_VMX_CR4_FIXED1", cr4_fixed1),
	ROW("IA32_VMX_PROCBASED_CTLS2", proc2),
	ROW("IA32_VMX_EPT_VPID_CAP", ept_vpid_cap),
	ROW("IA32_VMX_VMFUNC", vmfunc),
#undef ROW
};

const char *vmx_caps_differ(const struct vmx_caps *a, const struct vmx_caps *b)
{
	if (a->vmx != b->vmx)
		return "CPUID.1:ECX.VMX";
	for (size_t i = 0; i < sizeof(caps_msrs) / sizeof(caps_msrs[0]); i++)
		if (memcmp((const char *)a + caps_msrs[i].off, (const char *)b + caps_msrs[i].off, caps_msrs[i].size))
			return caps_msrs[i].msr;
	return NULL;
}
