/* Known departures of Bochs 2.7 (Debian 2.7+dfsg-4, corei7_skylake_x) from
 * the SDM, found by the differential mode and checked against the Bochs 2.7
 * source (bochs/cpu/vmx.cc, tag REL_2_7_FINAL) and the SDM text. Upstream
 * Bochs (3.0.devel) shows most of them too; docs/machines.md lists which,
 * per version. */
#include "rig/entrycheck/departures.h"
#include "vmm/shadow/entry_checks.h"
#include <string.h>

static bool failed_by(const struct verdict *v, const char *check)
{
	return v->check && !strcmp(v->check->id, check);
}

static uint64_t val(const struct vmcs_shadow *s, enum vmcs_field f)
{
	return shadow_get(s, f);
}

/* CS is a non-conforming code segment (type 9 or 11). */
static bool cs_nonconforming(const struct vmcs_shadow *s)
{
	unsigned type = val(s, VMCS_guest_cs_ar) & 0xf;
	return type == 9 || type == 11;
}

/* ... or a conforming one (type 13 or 15). */
static bool cs_conforming(const struct vmcs_shadow *s)
{
	unsigned type = val(s, VMCS_guest_cs_ar) & 0xf;
	return type == 13 || type == 15;
}

static unsigned cs_dpl(const struct vmcs_shadow *s)
{
	return (val(s, VMCS_guest_cs_ar) >> 5) & 3;
}

/* Bochs 2.7's own rule for CS, in place of the SDM's CS.DPL against
 * SS.DPL: the CS selector's RPL equals CS.DPL for non-conforming code and
 * is not below it for conforming code (vmx.cc: "VMCS guest non-conforming
 * CS.RPL <> CS.DPL", "... CS.RPL < CS.DPL"). */
static bool bochs_cs_rule(const struct vmcs_shadow *s)
{
	unsigned rpl = val(s, VMCS_guest_cs_sel) & 3;
	return (cs_nonconforming(s) && rpl == cs_dpl(s)) || (cs_conforming(s) && rpl >= cs_dpl(s)) ||
	       (!cs_nonconforming(s) && !cs_conforming(s));
}

/* Bochs reads the pending-debug-exceptions field into a 32-bit variable
 * before testing its reserved bits (vmx.cc: tmpDR6 is Bit32u), so bits
 * 63:32 are never checked. */
static bool pending_dbg_high(const struct vmcs_shadow *s, const struct verdict *v, const struct outcome *cpu)
{
	uint64_t p = val(s, VMCS_guest_pending_dbg);
	return failed_by(v, "guest.pending_dbg.reserved") && cpu->kind == OUT_OK && (p >> 32) &&
	       !(p & 0xffffaff0u);
}

/* Bochs 2.7 has no rule relating CS.DPL to SS.DPL (equal for a
 * non-conforming CS, not above it for a conforming one); it compares CS.DPL
 * with the CS selector's RPL instead, the pre-unrestricted-guest rule.
 * Fixed upstream after 2.7. */
static bool cs_dpl_vs_ss(const struct vmcs_shadow *s, const struct verdict *v, const struct outcome *cpu)
{
	return failed_by(v, "guest.cs.ar.dpl") && cpu->kind == OUT_OK && bochs_cs_rule(s);
}

/* ...and so it refuses a CS whose selector RPL breaks its rule, which the
 * SDM does not check: a non-conforming CS with RPL != DPL, a conforming
 * one with RPL < DPL. */
static bool cs_rpl_vs_dpl(const struct vmcs_shadow *s, const struct verdict *v, const struct outcome *cpu)
{
	return v->kind == VERDICT_OK && cpu->kind == OUT_ENTRYFAIL && cpu->code == 33 && !bochs_cs_rule(s);
}

/* Bochs checks DPL >= RPL for DS, ES, FS and GS of types 0-10 only
 * (vmx.cc: "type < 11"); the SDM names types 0-11, so a type-11 segment
 * (execute/read, accessed, non-conforming code) goes unchecked. */
static bool data_dpl_type11(const struct vmcs_shadow *s, const struct verdict *v, const struct outcome *cpu)
{
	static const struct { const char *id; enum vmcs_field ar; } seg[] = {
		{ "guest.ds.ar.dpl", VMCS_guest_ds_ar }, { "guest.es.ar.dpl", VMCS_guest_es_ar },
		{ "guest.fs.ar.dpl", VMCS_guest_fs_ar }, { "guest.gs.ar.dpl", VMCS_guest_gs_ar },
	};
	for (unsigned i = 0; i < sizeof(seg) / sizeof(seg[0]); i++)
		if (failed_by(v, seg[i].id))
			return cpu->kind == OUT_OK && (val(s, seg[i].ar) & 0xf) == 11;
	return false;
}

/* Bochs offers "load IA32_PERF_GLOBAL_CTRL" among the VM-entry and VM-exit
 * controls but implements no such MSR (its CPU models say "MSR not
 * implemented yet"): neither field is checked, nor loaded. */
static bool perf_global_ctrl(const struct vmcs_shadow *s, const struct verdict *v, const struct outcome *cpu)
{
	(void)s;
	return (failed_by(v, "guest.perf_global_ctrl") || failed_by(v, "host.perf_global_ctrl")) &&
	       cpu->kind == OUT_OK;
}

/* Bochs's LoadMSRs has no rule for the MSRs writable only in SMM: it hands
 * IA32_SMM_MONITOR_CTL (9BH) to its WRMSR, which does not know that MSR
 * and, as Bochs ignores unknown MSRs by default (ignore_bad_msrs), drops the
 * write ("WRMSR: Unknown register 0x9b") and enters. */
static bool msr_load_smm(const struct vmcs_shadow *s, const struct verdict *v, const struct outcome *cpu)
{
	(void)s;
	return failed_by(v, "msrload.entry") && cpu->kind == OUT_OK && v->detail == 0x9b;
}

/* Into the shutdown state the SDM lets VM entry inject only an NMI or a
 * machine check (hardware exception 18); Bochs lets in any event whose
 * vector is 18 (vmx.cc: "event_type != BX_NMI && vector != BX_MC_EXCEPTION"). */
static bool shutdown_vector18(const struct vmcs_shadow *s, const struct verdict *v, const struct outcome *cpu)
{
	return failed_by(v, "guest.activity.event") && cpu->kind == OUT_OK &&
	       val(s, VMCS_guest_activity_state) == 2 && (val(s, VMCS_entry_intr_info) & 0xff) == 18;
}

/* Bochs does not refuse "entry to SMM" outside SMM among the VM-entry
 * controls; the entry goes on to the host-state checks, which fail it if
 * the host state is bad (VMfailValid 8), and else fails later, as invalid
 * guest state ("VMCS SMM guest should block SMI"). */
static bool entry_smm(const struct vmcs_shadow *s, const struct verdict *v, const struct outcome *cpu)
{
	(void)s;
	return failed_by(v, "ctl.entry.smm") &&
	       ((cpu->kind == OUT_ENTRYFAIL && cpu->code == 33) || (cpu->kind == OUT_VMFAIL && cpu->code == 8));
}

/* Bochs checks only the reserved bits it knows of IA32_DEBUGCTL: none. */
static bool debugctl_reserved(const struct vmcs_shadow *s, const struct verdict *v, const struct outcome *cpu)
{
	(void)s;
	return failed_by(v, "guest.debugctl.reserved") && cpu->kind == OUT_OK;
}

/* Bochs checks the events injectable in the shutdown and wait-for-SIPI
 * states, but has no rule for HLT. */
static bool activity_hlt_event(const struct vmcs_shadow *s, const struct verdict *v, const struct outcome *cpu)
{
	return failed_by(v, "guest.activity.event") && cpu->kind == OUT_OK &&
	       val(s, VMCS_guest_activity_state) == 1;
}

/* Bochs fails an NMI injected under STI blocking with qualification 0,
 * not 3 (SDM 27.8: qualification 3 names exactly this failure). */
static bool nmi_sti_qual(const struct vmcs_shadow *s, const struct verdict *v, const struct outcome *cpu)
{
	(void)s;
	return failed_by(v, "guest.intr.nmi_sti") && cpu->kind == OUT_ENTRYFAIL && cpu->code == 33 &&
	       cpu->qual == 0;
}

/* Bochs 2.7 has the virtual-NMI blocking rule only as commented-out code. */
static bool virtual_nmi_blocking(const struct vmcs_shadow *s, const struct verdict *v, const struct outcome *cpu)
{
	(void)s;
	return failed_by(v, "guest.intr.virtual_nmi") && cpu->kind == OUT_OK;
}

/* Bochs never relates the BS bit to RFLAGS.TF and DEBUGCTL.BTF. */
static bool pending_dbg_bs(const struct vmcs_shadow *s, const struct verdict *v, const struct outcome *cpu)
{
	(void)s;
	return failed_by(v, "guest.pending_dbg.bs") && cpu->kind == OUT_OK;
}

/* Bochs refuses RFLAGS.VM only for an IA-32e guest (vmx.cc: "Enter to
 * x86-64 guest with RFLAGS.VM"), not with CR0.PE = 0. */
static bool rflags_vm_real(const struct vmcs_shadow *s, const struct verdict *v, const struct outcome *cpu)
{
	return failed_by(v, "guest.rflags.vm") && cpu->kind == OUT_OK && !(val(s, VMCS_guest_cr0) & 1);
}

/* Bochs checks RIP's bits 63:32 outside 64-bit mode and nothing inside it
 * (VMenterLoadCheckGuestState): a 64-bit RIP whose bits 63:48 differ
 * enters, and the guest faults on its first fetch. The SDM requires bits
 * 63:N identical (N = 48 here), so the row fails such a RIP; one that is
 * merely not canonical (bit 47 differs from 63:48) enters on both. */
static bool rip_high_bits(const struct vmcs_shadow *s, const struct verdict *v, const struct outcome *cpu)
{
	return failed_by(v, "guest.rip.high") && cpu->kind == OUT_OK &&
	       (val(s, VMCS_entry_controls) & ENTRY_IA32E_GUEST) && (val(s, VMCS_guest_cs_ar) & AR_L) &&
	       !addr_top_same(val(s, VMCS_guest_rip), 48);
}

/* Bochs requires CR4.PAE for an IA-32e guest but not CR0.PG
 * (VMenterLoadCheckGuestState: "CR4.PAE=0 in x86-64 mode" only). */
static bool ia32e_pg(const struct vmcs_shadow *s, const struct verdict *v, const struct outcome *cpu)
{
	return failed_by(v, "guest.ia32e.paging") && cpu->kind == OUT_OK && !(val(s, VMCS_guest_cr0) & CR0_PG) &&
	       (val(s, VMCS_guest_cr4) & CR4_PAE);
}

/* Bochs lets SS be null for a 64-bit guest by skipping its per-segment
 * SS checks whenever the SS selector is null, any RPL ("SS is allowed to
 * be NULL selector if going to 64-bit guest"; BX_SELECTOR_RPL_MASK is
 * 0xfffc), usable or not: type, S, P, base, limit against G. (The checks
 * across registers still run: SS.RPL = CS.RPL and SS.DPL = SS.RPL without
 * unrestricted guest.) The SDM exempts only an unusable SS. */
static bool ss_null_64bit(const struct vmcs_shadow *s, const struct verdict *v, const struct outcome *cpu)
{
	return v->check && !memcmp(v->check->id, "guest.ss.", 9) && cpu->kind == OUT_OK &&
	       (val(s, VMCS_entry_controls) & ENTRY_IA32E_GUEST) && (val(s, VMCS_guest_cs_ar) & AR_L) &&
	       (val(s, VMCS_guest_ss_sel) & 0xfffc) == 0;
}

static const struct departure rows[] = {
	{ "bochs27.pending_dbg_high", "27.3.1.5",
	  "does not check bits 63:32 of the pending debug exceptions field", pending_dbg_high },
	{ "bochs27.cs_dpl_vs_ss", "27.3.1.2",
	  "does not relate CS.DPL to SS.DPL (equal when non-conforming, not above when conforming)", cs_dpl_vs_ss },
	{ "bochs27.cs_rpl_vs_dpl", "27.3.1.2",
	  "requires CS selector RPL = CS.DPL (RPL >= DPL if conforming), which the SDM does not", cs_rpl_vs_dpl },
	{ "bochs27.data_dpl_type11", "27.3.1.2",
	  "does not check DPL >= RPL for a data-segment register holding a type-11 code segment", data_dpl_type11 },
	{ "bochs27.perf_global_ctrl", "27.2.2",
	  "does not check the reserved bits of IA32_PERF_GLOBAL_CTRL, guest's or host's, when told to load it",
	  perf_global_ctrl },
	{ "bochs27.msr_load_smm", "27.4",
	  "loads IA32_SMM_MONITOR_CTL from the VM-entry MSR-load area outside SMM (drops the unknown MSR's write)",
	  msr_load_smm },
	{ "bochs27.shutdown_vector18", "27.3.1.5",
	  "injects any event with vector 18 into the shutdown state, not only an NMI or #MC", shutdown_vector18 },
	{ "bochs27.entry_smm", "27.2.1.3",
	  "fails entry to SMM outside SMM as invalid guest state or bad host state, not VMfailValid 7", entry_smm },
	{ "bochs27.debugctl_reserved", "27.3.1.1",
	  "does not check the reserved bits of IA32_DEBUGCTL with load debug controls", debugctl_reserved },
	{ "bochs27.activity_hlt_event", "27.3.1.5",
	  "lets an event that HLT would block be injected into the HLT state", activity_hlt_event },
	{ "bochs27.nmi_sti_qual", "27.8",
	  "reports NMI injection under STI blocking with exit qualification 0, not 3", nmi_sti_qual },
	{ "bochs27.virtual_nmi_blocking", "27.3.1.5",
	  "injects an NMI with virtual NMIs on and blocking by NMI set", virtual_nmi_blocking },
	{ "bochs27.pending_dbg_bs", "27.3.1.5",
	  "does not check the BS bit against RFLAGS.TF and DEBUGCTL.BTF", pending_dbg_bs },
	{ "bochs27.rflags_vm_real", "27.3.1.4",
	  "accepts RFLAGS.VM = 1 with CR0.PE = 0 (checks it only for IA-32e guests)", rflags_vm_real },
	{ "bochs27.ia32e_pg", "27.3.1.1",
	  "enters an IA-32e guest with CR0.PG = 0 (checks only CR4.PAE)", ia32e_pg },
	{ "bochs27.ss_null_64bit", "27.3.1.2",
	  "skips every check on a usable SS with a null selector for a 64-bit guest", ss_null_64bit },
	{ "bochs27.rip_high_bits", "27.3.1.4",
	  "enters 64-bit mode with RIP bits 63:N not identical (checks only bits 63:32 outside it)", rip_high_bits },
};

const struct departure *departure_find(const struct vmcs_shadow *s, const struct verdict *shadow,
				       const struct outcome *cpu)
{
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i].matches(s, shadow, cpu))
			return &rows[i];
	return NULL;
}
