/* VMREAD, VMWRITE and RDTSC as inline instructions, for the notification
 * module's hot path in the hypervisor build (SV_VMX_INLINE names this
 * header; see vmm/notify.h). Success costs
 * the instruction and a flag test; a failure is re-issued through the
 * wrappers in vmx.c, which classify it (VMfailInvalid, or VMfailValid with
 * the VM-instruction error). Re-issuing is harmless: a failed VMREAD or
 * VMWRITE changes nothing (SDM Vol. 3C 31.2, 31.4). */
#ifndef ARCH_X86_VMX_INLINE_H
#define ARCH_X86_VMX_INLINE_H
#include <stdint.h>
#include "vmx.h"
#include "cpu.h"

static inline MUST_CHECK struct vmx_result vmx_read_inline(uint32_t encoding, uint64_t *value)
{
	uint64_t v;
	_Bool bad;
	__asm__ volatile("vmread %2, %0" : "=r"(v), "=@ccbe"(bad) : "r"((uint64_t)encoding) : "cc");
	if (__builtin_expect(bad, 0)) {
		/* through a local of its own, so that the caller's variable need
		 * not live in memory for the common case */
		uint64_t t;
		struct vmx_result r = vmx_read(encoding, &t);
		*value = t;
		return r;
	}
	*value = v;
	return (struct vmx_result){ VMX_OK, 0 };
}

static inline MUST_CHECK struct vmx_result vmx_write_inline(uint32_t encoding, uint64_t value)
{
	_Bool bad;
	/* No "memory" clobber: a VMWRITE from a register touches no memory C
	 * can see (the VMCS region is the CPU's while current), so the compiler
	 * may keep values in registers across it. */
	__asm__ volatile("vmwrite %1, %2" : "=@ccbe"(bad) : "r"(value), "r"((uint64_t)encoding) : "cc");
	if (__builtin_expect(bad, 0))
		return vmx_write(encoding, value);
	return (struct vmx_result){ VMX_OK, 0 };
}

static inline uint64_t vmx_now_inline(void)
{
	return rdtsc();
}

#endif
