/* Checks on the host-state area, SDM Vol. 3C 27.2.2-27.2.4. A failure is
 * VMfailValid with VM-instruction error 8 ("VM entry with invalid host-state
 * field(s)"). shadowvisor always runs in IA-32e mode (64-bit), which the
 * address-space-size rules of 27.2.4 depend on. */
#include "vmm/shadow/entry_checks_impl.h"

/* 27.2.2 host control registers and MSRs */

/* CR0/CR4 bits fixed in VMX operation (IA32_VMX_CR0/CR4_FIXED0/1). */
static bool fixed_ok(uint64_t v, uint64_t fixed0, uint64_t fixed1)
{
	return (v & fixed0) == fixed0 && (v & ~fixed1) == 0;
}

static bool host_cr0(struct check_ctx *c)
{
	return fixed_ok(F(host_cr0), c->caps->cr0_fixed0, c->caps->cr0_fixed1) ||
	       check_fail(c, VMCS_host_cr0);
}

static bool host_cr4(struct check_ctx *c)
{
	return fixed_ok(F(host_cr4), c->caps->cr4_fixed0, c->caps->cr4_fixed1) ||
	       check_fail(c, VMCS_host_cr4);
}

static bool host_cr3(struct check_ctx *c)
{
	return addr_fits(c, F(host_cr3)) || check_fail(c, VMCS_host_cr3);
}

static bool host_sysenter(struct check_ctx *c)
{
	if (!canonical(c, F(host_sysenter_esp)))
		return check_fail(c, VMCS_host_sysenter_esp);
	return canonical(c, F(host_sysenter_eip)) || check_fail(c, VMCS_host_sysenter_eip);
}

static bool host_perf_global(struct check_ctx *c)
{
	return !(F(exit_controls) & EXIT_LOAD_PERF) ||
	       !(F(host_perf_global_ctrl) & ~c->caps->perf_global_valid) ||
	       check_fail(c, VMCS_host_perf_global_ctrl);
}

static bool host_pat(struct check_ctx *c)
{
	if (!(F(exit_controls) & EXIT_LOAD_PAT))
		return true;
	return pat_ok(F(host_pat)) || check_fail(c, VMCS_host_pat);
}

static bool host_efer_reserved(struct check_ctx *c)
{
	if (!(F(exit_controls) & EXIT_LOAD_EFER))
		return true;
	return (F(host_efer) & ~EFER_VALID) == 0 || check_fail(c, VMCS_host_efer);
}

/* EFER.LMA and EFER.LME both equal "host address-space size". */
static bool host_efer_lma(struct check_ctx *c)
{
	uint64_t x = F(exit_controls);
	if (!(x & EXIT_LOAD_EFER))
		return true;
	uint64_t e = F(host_efer);
	bool as = x & EXIT_HOST_AS_SIZE;
	if (!!(e & EFER_LMA) != as || !!(e & EFER_LME) != as)
		return check_fail(c, VMCS_host_efer);
	return true;
}

/* 27.2.3 host segment and descriptor-table registers */

static const enum vmcs_field host_sels[] = {
	VMCS_host_es_sel, VMCS_host_cs_sel, VMCS_host_ss_sel, VMCS_host_ds_sel,
	VMCS_host_fs_sel, VMCS_host_gs_sel, VMCS_host_tr_sel,
};

static bool host_sel_rpl_ti(struct check_ctx *c)
{
	for (unsigned i = 0; i < sizeof(host_sels) / sizeof(host_sels[0]); i++)
		if (check_field(c, host_sels[i]) & 7)
			return check_fail(c, host_sels[i]);
	return true;
}

static bool host_cs_nonzero(struct check_ctx *c)
{
	return F(host_cs_sel) != 0 || check_fail(c, VMCS_host_cs_sel);
}

static bool host_tr_nonzero(struct check_ctx *c)
{
	return F(host_tr_sel) != 0 || check_fail(c, VMCS_host_tr_sel);
}

/* A 32-bit host (address-space size 0) needs a non-null SS. */
static bool host_ss_nonzero(struct check_ctx *c)
{
	return (F(exit_controls) & EXIT_HOST_AS_SIZE) || F(host_ss_sel) != 0 ||
	       check_fail(c, VMCS_host_ss_sel);
}

static const enum vmcs_field host_bases[] = {
	VMCS_host_fs_base, VMCS_host_gs_base, VMCS_host_gdtr_base,
	VMCS_host_idtr_base, VMCS_host_tr_base,
};

static bool host_bases_canonical(struct check_ctx *c)
{
	for (unsigned i = 0; i < sizeof(host_bases) / sizeof(host_bases[0]); i++)
		if (!canonical(c, check_field(c, host_bases[i])))
			return check_fail(c, host_bases[i]);
	return true;
}

/* 27.2.4 address-space size */

/* The VMM runs in IA-32e mode, so "host address-space size" must be 1. */
static bool as_cpu(struct check_ctx *c)
{
	return (F(exit_controls) & EXIT_HOST_AS_SIZE) || check_fail(c, VMCS_exit_controls);
}

/* Outside IA-32e mode (host size 0) there is no IA-32e-mode guest. */
static bool as_guest(struct check_ctx *c)
{
	return (F(exit_controls) & EXIT_HOST_AS_SIZE) ||
	       !(F(entry_controls) & ENTRY_IA32E_GUEST) ||
	       check_fail(c, VMCS_entry_controls);
}

static bool as_pae(struct check_ctx *c)
{
	return !(F(exit_controls) & EXIT_HOST_AS_SIZE) || (F(host_cr4) & CR4_PAE) ||
	       check_fail(c, VMCS_host_cr4);
}

static bool as_pcide(struct check_ctx *c)
{
	return (F(exit_controls) & EXIT_HOST_AS_SIZE) || !(F(host_cr4) & CR4_PCIDE) ||
	       check_fail(c, VMCS_host_cr4);
}

/* 64-bit host: RIP canonical for the paging the exit loads (57 bits with
 * HOST_CR4.LA57, else 48: unlike the base fields, whose check uses the
 * processor's width; KVM's nested VMX follows the same rule); 32-bit host:
 * RIP bits 63:32 are 0. */
static bool as_rip(struct check_ctx *c)
{
	uint64_t rip = F(host_rip);
	bool ok = (F(exit_controls) & EXIT_HOST_AS_SIZE) ? addr_canonical(rip, (F(host_cr4) & CR4_LA57) ? 57 : 48)
							 : (rip >> 32) == 0;
	return ok || check_fail(c, VMCS_host_rip);
}

#define EXITC VMCS_exit_controls

const struct entry_check entry_checks_host[] = {
	CHECK("host.cr0.fixed", "27.2.2", host_cr0, FAIL_HOST, VMCS_host_cr0),
	CHECK("host.cr4.fixed", "27.2.2", host_cr4, FAIL_HOST, VMCS_host_cr4),
	CHECK("host.cr3.range", "27.2.2", host_cr3, FAIL_HOST, VMCS_host_cr3),
	CHECK("host.sysenter.canonical", "27.2.2", host_sysenter, FAIL_HOST,
	      VMCS_host_sysenter_esp, VMCS_host_sysenter_eip),
	CHECK("host.perf_global_ctrl", "27.2.2", host_perf_global, FAIL_HOST, EXITC, VMCS_host_perf_global_ctrl),
	CHECK("host.pat", "27.2.2", host_pat, FAIL_HOST, EXITC, VMCS_host_pat),
	CHECK("host.efer.reserved", "27.2.2", host_efer_reserved, FAIL_HOST,
	      EXITC, VMCS_host_efer),
	CHECK("host.efer.lma_lme", "27.2.2", host_efer_lma, FAIL_HOST, EXITC, VMCS_host_efer),
	CHECK("host.sel.rpl_ti", "27.2.3", host_sel_rpl_ti, FAIL_HOST,
	      VMCS_host_es_sel, VMCS_host_cs_sel, VMCS_host_ss_sel, VMCS_host_ds_sel,
	      VMCS_host_fs_sel, VMCS_host_gs_sel, VMCS_host_tr_sel),
	CHECK("host.cs.nonzero", "27.2.3", host_cs_nonzero, FAIL_HOST, VMCS_host_cs_sel),
	CHECK("host.tr.nonzero", "27.2.3", host_tr_nonzero, FAIL_HOST, VMCS_host_tr_sel),
	CHECK("host.ss.nonzero", "27.2.3", host_ss_nonzero, FAIL_HOST,
	      EXITC, VMCS_host_ss_sel),
	CHECK("host.bases.canonical", "27.2.3", host_bases_canonical, FAIL_HOST,
	      VMCS_host_fs_base, VMCS_host_gs_base, VMCS_host_gdtr_base,
	      VMCS_host_idtr_base, VMCS_host_tr_base),
	CHECK("host.addr_size.cpu", "27.2.4", as_cpu, FAIL_HOST, EXITC),
	CHECK("host.addr_size.guest", "27.2.4", as_guest, FAIL_HOST,
	      EXITC, VMCS_entry_controls),
	CHECK("host.addr_size.pae", "27.2.4", as_pae, FAIL_HOST, EXITC, VMCS_host_cr4),
	CHECK("host.addr_size.pcide", "27.2.4", as_pcide, FAIL_HOST, EXITC, VMCS_host_cr4),
	CHECK("host.addr_size.rip", "27.2.4", as_rip, FAIL_HOST, EXITC, VMCS_host_rip, VMCS_host_cr4),
};
const unsigned entry_checks_host_count = sizeof(entry_checks_host) / sizeof(entry_checks_host[0]);
