/* The hot path's VMREAD/VMWRITE (vmx_read, vmx_write) held to the CPU once,
 * right after VMXON, on a scratch VMCS: the failures they must hand to the
 * checking wrappers come back classified as the SDM says (Vol. 3C 31.4,
 * VM-instruction error numbers), and a value written is read back. The
 * scratch VMCS holds nothing any VM uses. */
#include "arch/x86/vmx_selftest.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmcs_fields.h"

/* Bit 12 of a VMCS component encoding is reserved (SDM Vol. 3D B.1): no
 * field has it, so a VMREAD of it is "unsupported VMCS component". */
#define VMCS_ENCODING_UNSUPPORTED 0x1000u
#define VMERR_UNSUPPORTED_COMPONENT 12
#define VMERR_WRITE_READ_ONLY 13
#define ROUNDTRIP_VALUE 0x1234ull

static bool is(struct vmx_result r, enum vmx_status s, uint32_t error)
{
	return r.status == s && (s != VMX_FAIL_VALID || r.error == error);
}

void vmx_selftest(uint64_t scratch_pa, uint32_t revision, uint64_t misc, struct vmx_selftest *t)
{
	uint64_t v = 0;
	*(volatile uint32_t *)scratch_pa = revision;
	t->ok = false;
	t->setup = vmx_clear(scratch_pa);
	if (t->setup.status == VMX_OK)
		t->setup = vmx_ptrld(scratch_pa);
	if (t->setup.status != VMX_OK)
		return;
	t->write_bad = vmx_write(VMCS_ENCODING_UNSUPPORTED, 0);
	t->read_bad = vmx_read(VMCS_ENCODING_UNSUPPORTED, &v);
	t->write_ro = vmx_write(vmcs_field_encoding(VMCS_exit_reason), 0);
	t->write_ro_allowed = (misc & MISC_VMWRITE_ANY) != 0;
	struct vmx_result w = vmx_write(vmcs_field_encoding(VMCS_guest_rip), ROUNDTRIP_VALUE);
	struct vmx_result r = vmx_read(vmcs_field_encoding(VMCS_guest_rip), &v);
	t->roundtrip = w.status == VMX_OK && r.status == VMX_OK && v == ROUNDTRIP_VALUE;
	/* VMCLEAR of the current VMCS leaves none current (SDM 31.3 VMCLEAR). */
	t->setup = vmx_clear(scratch_pa);
	t->no_current = vmx_read(vmcs_field_encoding(VMCS_guest_rip), &v);
	t->ok = t->setup.status == VMX_OK && is(t->write_bad, VMX_FAIL_VALID, VMERR_UNSUPPORTED_COMPONENT) &&
		is(t->read_bad, VMX_FAIL_VALID, VMERR_UNSUPPORTED_COMPONENT) &&
		(t->write_ro_allowed ? is(t->write_ro, VMX_OK, 0) : is(t->write_ro, VMX_FAIL_VALID, VMERR_WRITE_READ_ONLY)) &&
		t->roundtrip && is(t->no_current, VMX_FAIL_INVALID, 0);
}
