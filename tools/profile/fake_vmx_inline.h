/* make profile's stand-in for arch/x86/vmx_inline.h: the hot path's
 * VMREAD, VMWRITE and RDTSC inline, on tools/profile/hotpath.c's array of
 * fields, at about the instruction count of the real ones (the VMX
 * instruction and a flag test). */
#ifndef TOOLS_PROFILE_FAKE_VMX_INLINE_H
#define TOOLS_PROFILE_FAKE_VMX_INLINE_H
#include <stdint.h>
#include "vmm/vmx_types.h"

extern uint64_t hotpath_vmcs[1u << 16];   /* by encoding */
extern uint64_t hotpath_tsc;

static inline struct vmx_result vmx_read_inline(uint32_t encoding, uint64_t *value)
{
	*value = hotpath_vmcs[encoding & 0xffff];
	return (struct vmx_result){ VMX_OK, 0 };
}

static inline struct vmx_result vmx_write_inline(uint32_t encoding, uint64_t value)
{
	hotpath_vmcs[encoding & 0xffff] = value;
	return (struct vmx_result){ VMX_OK, 0 };
}

static inline uint64_t vmx_now_inline(void)
{
	return ++hotpath_tsc;
}

#endif
