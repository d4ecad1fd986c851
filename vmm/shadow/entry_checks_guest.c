/* Checks on guest control registers, debug registers and MSRs, SDM
 * Vol. 3C 27.3.1.1. A failure is a VM-entry failure: exit reason 33
 * (invalid guest state), exit qualification 0. */
#include "vmm/shadow/entry_checks_impl.h"

/* CR0 bits fixed in VMX operation; unrestricted guest frees PE and PG. */
static bool cr0_fixed(struct check_ctx *c)
{
	uint64_t fixed0 = c->caps->cr0_fixed0;
	if (ctl_proc2(c) & PROC2_UNRESTRICTED)
		fixed0 &= ~(CR0_PE | CR0_PG);
	uint64_t cr0 = F(guest_cr0);
	if ((cr0 & fixed0) != fixed0 || (cr0 & ~c->caps->cr0_fixed1))
		return check_fail(c, VMCS_guest_cr0);
	return true;
}

static bool cr0_pg_pe(struct check_ctx *c)
{
	uint64_t cr0 = F(guest_cr0);
	return !(cr0 & CR0_PG) || (cr0 & CR0_PE) || check_fail(c, VMCS_guest_cr0);
}

static bool cr4_fixed(struct check_ctx *c)
{
	uint64_t cr4 = F(guest_cr4), fixed0 = c->caps->cr4_fixed0;
	if ((cr4 & fixed0) != fixed0 || (cr4 & ~c->caps->cr4_fixed1))
		return check_fail(c, VMCS_guest_cr4);
	return true;
}

/* IA32_DEBUGCTL: bits 0-1 and 6-15 are defined, the rest reserved. */
static bool debugctl(struct check_ctx *c)
{
	if (!(F(entry_controls) & ENTRY_LOAD_DEBUG))
		return true;
	return (F(guest_debugctl) & ~0xffc3ull) == 0 || check_fail(c, VMCS_guest_debugctl);
}

static bool ia32e_paging(struct check_ctx *c)
{
	if (!(F(entry_controls) & ENTRY_IA32E_GUEST))
		return true;
	if (!(F(guest_cr0) & CR0_PG))
		return check_fail(c, VMCS_guest_cr0);
	return (F(guest_cr4) & CR4_PAE) || check_fail(c, VMCS_guest_cr4);
}

static bool cr4_pcide(struct check_ctx *c)
{
	return (F(entry_controls) & ENTRY_IA32E_GUEST) || !(F(guest_cr4) & CR4_PCIDE) ||
	       check_fail(c, VMCS_guest_cr4);
}

static bool cr3_range(struct check_ctx *c)
{
	return addr_fits(c, F(guest_cr3)) || check_fail(c, VMCS_guest_cr3);
}

static bool dr7(struct check_ctx *c)
{
	if (!(F(entry_controls) & ENTRY_LOAD_DEBUG))
		return true;
	return (F(guest_dr7) >> 32) == 0 || check_fail(c, VMCS_guest_dr7);
}

static bool sysenter(struct check_ctx *c)
{
	if (!canonical(c, F(guest_sysenter_esp)))
		return check_fail(c, VMCS_guest_sysenter_esp);
	return canonical(c, F(guest_sysenter_eip)) ||
	       check_fail(c, VMCS_guest_sysenter_eip);
}

/* With "load IA32_PERF_GLOBAL_CTRL", none of the MSR's reserved bits. */
static bool perf_global(struct check_ctx *c)
{
	return !(F(entry_controls) & ENTRY_LOAD_PERF) ||
	       !(F(guest_perf_global_ctrl) & ~c->caps->perf_global_valid) ||
	       check_fail(c, VMCS_guest_perf_global_ctrl);
}

static bool pat(struct check_ctx *c)
{
	if (!(F(entry_controls) & ENTRY_LOAD_PAT))
		return true;
	return pat_ok(F(guest_pat)) || check_fail(c, VMCS_guest_pat);
}

static bool efer_reserved(struct check_ctx *c)
{
	if (!(F(entry_controls) & ENTRY_LOAD_EFER))
		return true;
	return (F(guest_efer) & ~EFER_VALID) == 0 || check_fail(c, VMCS_guest_efer);
}

/* EFER.LMA equals "IA-32e mode guest"; so does EFER.LME when CR0.PG = 1. */
static bool efer_lma(struct check_ctx *c)
{
	uint64_t entry = F(entry_controls);
	if (!(entry & ENTRY_LOAD_EFER))
		return true;
	bool ia32e = entry & ENTRY_IA32E_GUEST;
	uint64_t e = F(guest_efer);
	if (!!(e & EFER_LMA) != ia32e)
		return check_fail(c, VMCS_guest_efer);
	if ((F(guest_cr0) & CR0_PG) && !!(e & EFER_LME) != ia32e)
		return check_fail(c, VMCS_guest_efer);
	return true;
}

#define ENTRY VMCS_entry_controls

const struct entry_check entry_checks_guest[] = {
	CHECK("guest.cr0.fixed", "27.3.1.1", cr0_fixed, FAIL_GUEST,
	      VMCS_guest_cr0, VMCS_proc_controls, VMCS_proc_controls2),
	CHECK("guest.cr0.pg_pe", "27.3.1.1", cr0_pg_pe, FAIL_GUEST, VMCS_guest_cr0),
	CHECK("guest.cr4.fixed", "27.3.1.1", cr4_fixed, FAIL_GUEST, VMCS_guest_cr4),
	CHECK("guest.debugctl.reserved", "27.3.1.1", debugctl, FAIL_GUEST,
	      ENTRY, VMCS_guest_debugctl),
	CHECK("guest.ia32e.paging", "27.3.1.1", ia32e_paging, FAIL_GUEST,
	      ENTRY, VMCS_guest_cr0, VMCS_guest_cr4),
	CHECK("guest.cr4.pcide", "27.3.1.1", cr4_pcide, FAIL_GUEST, ENTRY, VMCS_guest_cr4),
	CHECK("guest.cr3.range", "27.3.1.1", cr3_range, FAIL_GUEST, VMCS_guest_cr3),
	CHECK("guest.dr7.high", "27.3.1.1", dr7, FAIL_GUEST, ENTRY, VMCS_guest_dr7),
	CHECK("guest.sysenter.canonical", "27.3.1.1", sysenter, FAIL_GUEST,
	      VMCS_guest_sysenter_esp, VMCS_guest_sysenter_eip),
	CHECK("guest.perf_global_ctrl", "27.3.1.1", perf_global, FAIL_GUEST, ENTRY, VMCS_guest_perf_global_ctrl),
	CHECK("guest.pat", "27.3.1.1", pat, FAIL_GUEST, ENTRY, VMCS_guest_pat),
	CHECK("guest.efer.reserved", "27.3.1.1", efer_reserved, FAIL_GUEST,
	      ENTRY, VMCS_guest_efer),
	CHECK("guest.efer.lma_lme", "27.3.1.1", efer_lma, FAIL_GUEST,
	      ENTRY, VMCS_guest_efer, VMCS_guest_cr0),
};
const unsigned entry_checks_guest_count = sizeof(entry_checks_guest) / sizeof(entry_checks_guest[0]);
