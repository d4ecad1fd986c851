/* MOV to CR0 and CR4 that a PC VM's guest/host masks trap (SDM Vol. 3C
 * 26.1.3), and XSETBV. CR0.NE and CR4.VMXE are fixed to 1 in VMX
 * operation, so both are host-owned: the guest reads its own values from
 * the read shadows. CR0.PG is host-owned too, so that every change of
 * paging exits and the hypervisor keeps EFER.LMA and the "IA-32e mode
 * guest" control in step (SDM Vol. 3A 10.8.5): turning paging on with
 * EFER.LME = 1 activates IA-32e mode. */
#include "vmm/pc/pc.h"

#define CR0_CD (1ull << 30)
#define CR0_NW (1ull << 29)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

/* The exit qualification of a control-register access (SDM Vol. 3C
 * Table 28-3). */
#define CRQ_NUMBER(q) ((unsigned)(q) & 15)
#define CRQ_TYPE(q) (((unsigned)(q) >> 4) & 3)      /* 0: MOV to CR */
#define CRQ_GPR(q) (((unsigned)(q) >> 8) & 15)

/* IA-32e mode on (lma) or off: EFER.LMA and the entry control together. */
static bool set_lma(struct notify *n, struct vm *vm, uint64_t efer, bool lma)
{
	uint64_t ctl;
	if (!notify_read(n, vm, VMCS_entry_controls, &ctl))
		return false;
	ctl = lma ? ctl | ENTRY_IA32E_GUEST : ctl & ~(uint64_t)ENTRY_IA32E_GUEST;
	efer = lma ? efer | EFER_LMA : efer & ~EFER_LMA;
	return notify_write(n, vm, VMCS_entry_controls, ctl) && notify_write(n, vm, VMCS_guest_efer, efer);
}

static enum exit_action cr0_write(struct notify *n, struct vm *vm, uint64_t v)
{
	const struct vmx_caps *c = n->caps;
	uint64_t old, efer, cr4;
	if (!notify_read(n, vm, VMCS_cr0_read_shadow, &old) || !notify_read(n, vm, VMCS_guest_efer, &efer) ||
	    !notify_read(n, vm, VMCS_guest_cr4, &cr4))
		return exits_stop(vm, "cannot read the guest's CR0, CR4 or EFER");
	/* #GP(0) (SDM Vol. 3A 2.5): bits 63:32, PG without PE, NW without CD. */
	if ((v >> 32) || ((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
		return pc_inject_exception(n, vm, PC_VECTOR_GP);
	bool on = (v & CR0_PG) && !(old & CR0_PG), off = !(v & CR0_PG) && (old & CR0_PG);
	if (on && (efer & EFER_LME) && !(cr4 & CR4_PAE))
		return pc_inject_exception(n, vm, PC_VECTOR_GP);
	if (on && (cr4 & CR4_PAE) && !(efer & EFER_LME))
		return exits_stop(vm, "PAE paging outside IA-32e mode is not supported (its PDPTEs)");
	if ((on && (efer & EFER_LME)) || (off && (efer & EFER_LMA)))
		if (!set_lma(n, vm, efer, on))
			return exits_stop(vm, "cannot switch IA-32e mode");
	/* Unrestricted guest lifts the PE and PG fixed-1 bits (SDM 27.3.1.1). */
	uint64_t hw = (v | (c->cr0_fixed0 & ~(CR0_PE | CR0_PG))) & c->cr0_fixed1;
	if (!notify_write(n, vm, VMCS_guest_cr0, hw) || !notify_write(n, vm, VMCS_cr0_read_shadow, v))
		return exits_stop(vm, "cannot write guest CR0");
	vm->pc.n.cr_writes++;
	return exits_advance_rip(n, vm);
}

static enum exit_action cr4_write(struct notify *n, struct vm *vm, uint64_t v)
{
	const struct vmx_caps *c = n->caps;
	uint64_t efer;
	if (!notify_read(n, vm, VMCS_guest_efer, &efer))
		return exits_stop(vm, "cannot read guest EFER");
	/* VMX is hidden from the guest (pc_cpuid.c); leaving IA-32e mode's PAE
	 * is #GP (SDM Vol. 3A 2.5). */
	if ((v & CR4_VMXE) || ((efer & EFER_LMA) && !(v & CR4_PAE)) || (v >> 32))
		return pc_inject_exception(n, vm, PC_VECTOR_GP);
	uint64_t hw = (v | c->cr4_fixed0 | CR4_VMXE) & c->cr4_fixed1;
	if (!notify_write(n, vm, VMCS_guest_cr4, hw) || !notify_write(n, vm, VMCS_cr4_read_shadow, v))
		return exits_stop(vm, "cannot write guest CR4");
	vm->pc.n.cr_writes++;
	return exits_advance_rip(n, vm);
}

enum exit_action pc_cr_access(struct notify *n, struct vm *vm)
{
	uint64_t q, v;
	if (!notify_read(n, vm, VMCS_exit_qualification, &q))
		return exits_stop(vm, "cannot read exit qualification");
	unsigned cr = CRQ_NUMBER(q);
	if (CRQ_TYPE(q) != 0 || (cr != 0 && cr != 4))
		return exits_stop(vm, "a control-register access this hypervisor does not trap");
	if (!pc_gpr(n, vm, CRQ_GPR(q), &v))
		return exits_stop(vm, "cannot read the source register");
	if (!exits_long_mode(n, vm))
		v = (uint32_t)v;
	return cr == 0 ? cr0_write(n, vm, v) : cr4_write(n, vm, v);
}

/* XSAVE is hidden (pc_cpuid.c), so XCR0 stays the host's: XSETBV is
 * #GP(0), as for a value the processor does not support. */
enum exit_action pc_xsetbv(struct notify *n, struct vm *vm)
{
	return pc_inject_exception(n, vm, PC_VECTOR_GP);
}
