/* The outcome of one VMX instruction, as the SDM defines it (Vol. 3C 31.2):
 * VMsucceed, VMfailInvalid (CF=1), VMfailValid (ZF=1, error number in the
 * VM-instruction error field). Pure data, shared by arch/ and vmm/. */
#ifndef VMM_VMX_TYPES_H
#define VMM_VMX_TYPES_H
#include <stdint.h>

enum vmx_status { VMX_OK, VMX_FAIL_INVALID, VMX_FAIL_VALID };

struct vmx_result {
	enum vmx_status status;
	uint32_t error;           /* VM-instruction error number when FAIL_VALID */
};

static inline const char *vmx_status_name(enum vmx_status s)
{
	return s == VMX_OK ? "ok" : s == VMX_FAIL_INVALID ? "vmfail_invalid" : "vmfail_valid";
}

/* Guest general-purpose registers (RSP lives in the VMCS). The layout is
 * shared with arch/x86/vmx_entry.asm. */
struct guest_regs {
	uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

#endif
