/* Checks on guest RIP and RFLAGS (SDM Vol. 3C 27.3.1.4), non-register
 * state (27.3.1.5) and PDPTEs (27.3.1.6). A failure is a VM-entry failure,
 * exit reason 33; the qualification is 4 for the VMCS link pointer, 3 for
 * NMI injection under STI blocking, 2 for PDPTEs, else 0. */
#include "vmm/shadow/entry_checks_impl.h"

/* Interruptibility state (SDM 25.4.2) */
#define BLOCK_STI     (1ull << 0)
#define BLOCK_MOV_SS  (1ull << 1)
#define BLOCK_SMI     (1ull << 2)
#define BLOCK_NMI     (1ull << 3)
#define BLOCK_ENCLAVE (1ull << 4)
enum { ACT_ACTIVE, ACT_HLT, ACT_SHUTDOWN, ACT_WAIT_SIPI };
/* Pending debug exceptions (SDM 25.4.2) */
#define PDBG_BS   (1ull << 14)
#define PDBG_RTM  (1ull << 16)
#define PDBG_RESERVED (0xff0ull | (1ull << 13) | (1ull << 15) | (~0ull << 17))
#define DEBUGCTL_BTF (1ull << 1)

/* One of the mode's two bits: where the shadow knows the field, its
 * value's; where not, the CPU's is still the one the last VM exit saved,
 * and if that exit saved a RIP at or above 4 GiB the bit is 1 with no
 * read (shadow_fill; for the control only where IA32_VMX_MISC bit 5 says
 * the exit saved it). */
static bool mode_bit(struct check_ctx *c, enum vmcs_field f, uint64_t bit, bool saved_1)
{
	if (saved_1 && !shadow_known(c->s, f))
		return true;
	return check_field(c, f) & bit;
}

static bool long_mode_cs(struct check_ctx *c)
{
	bool at_exit = shadow_exit_long_mode(c->s);
	return mode_bit(c, VMCS_entry_controls, ENTRY_IA32E_GUEST, at_exit && (c->caps->misc & MISC_EXIT_SAVES_LMA)) &&
	       mode_bit(c, VMCS_guest_cs_ar, AR_L, at_exit);
}

/* 27.3.1.4: RIP bits 63:32 are 0 outside 64-bit mode, bits 63:N identical
 * inside (entry_rip_ok);
 * the mode (control and CS.L) is needed only for a RIP at or above 4 GiB,
 * where the two rules differ. */
static bool rip(struct check_ctx *c)
{
	uint64_t r = F(guest_rip);
	return entry_rip_low(r) || entry_rip_ok(r, long_mode_cs(c), vmx_linaddr_bits(c->caps)) ||
	       check_fail(c, VMCS_guest_rip);
}

/* Bits 63:22, 15, 5, 3 are 0; bit 1 is 1. */
static bool rflags_reserved(struct check_ctx *c)
{
	uint64_t f = F(guest_rflags);
	return ((f & (~0ull << 22 | 1ull << 15 | 1ull << 5 | 1ull << 3)) == 0 && (f & 2)) ||
	       check_fail(c, VMCS_guest_rflags);
}

/* No virtual-8086 mode in an IA-32e guest or with CR0.PE = 0. */
static bool rflags_vm(struct check_ctx *c)
{
	if (!(F(guest_rflags) & RFLAGS_VM))
		return true;
	if ((F(entry_controls) & ENTRY_IA32E_GUEST) || !(F(guest_cr0) & CR0_PE))
		return check_fail(c, VMCS_guest_rflags);
	return true;
}

static bool injecting(struct check_ctx *c, unsigned type)
{
	uint64_t i = F(entry_intr_info);
	return (i & INTR_VALID) && INTR_TYPE(i) == type;
}

/* Injecting an external interrupt needs RFLAGS.IF = 1. */
static bool rflags_if(struct check_ctx *c)
{
	return !injecting(c, INTR_EXT) || (F(guest_rflags) & RFLAGS_IF) ||
	       check_fail(c, VMCS_guest_rflags);
}

/* 27.3.1.5: an activity state 0-3 that IA32_VMX_MISC[8:6] supports. */
static bool activity_value(struct check_ctx *c)
{
	uint64_t a = F(guest_activity_state);
	if (a == ACT_ACTIVE || (a <= ACT_WAIT_SIPI && (c->caps->misc & (MISC_ACTIVITY_HLT << (a - 1)))))
		return true;
	return check_fail(c, VMCS_guest_activity_state);
}

static bool activity_hlt_dpl(struct check_ctx *c)
{
	return F(guest_activity_state) != ACT_HLT || ((F(guest_ss_ar) >> 5) & 3) == 0 ||
	       check_fail(c, VMCS_guest_activity_state);
}

static bool activity_sti_movss(struct check_ctx *c)
{
	return !(F(guest_interruptibility) & (BLOCK_STI | BLOCK_MOV_SS)) ||
	       F(guest_activity_state) == ACT_ACTIVE ||
	       check_fail(c, VMCS_guest_activity_state);
}

/* Events an entry may inject into a non-active guest (SDM 27.3.1.5):
 * HLT takes external interrupts, NMIs, #DB, #MC and pending MTF;
 * shutdown takes NMIs and #MC; wait-for-SIPI takes nothing. */
static bool activity_event(struct check_ctx *c)
{
	uint64_t i = F(entry_intr_info);
	if (!(i & INTR_VALID))
		return true;
	unsigned t = INTR_TYPE(i), v = INTR_VECTOR(i);
	bool ok;
	switch (F(guest_activity_state)) {
	case ACT_ACTIVE:
		ok = true;
		break;
	case ACT_HLT:
		ok = t == INTR_EXT || t == INTR_NMI || (t == INTR_HW_EXC && (v == 1 || v == 18)) ||
		     (t == INTR_OTHER && v == 0);
		break;
	case ACT_SHUTDOWN:
		ok = t == INTR_NMI || (t == INTR_HW_EXC && v == 18);
		break;
	default:
		ok = false;
		break;
	}
	return ok || check_fail(c, VMCS_guest_activity_state);
}

/* Bits 31:5 reserved; bit 4 (enclave interruption) needs SGX, which the
 * modelled CPU does not offer. */
static bool intr_reserved(struct check_ctx *c)
{
	return (F(guest_interruptibility) & ~(BLOCK_ENCLAVE - 1)) == 0 ||
	       check_fail(c, VMCS_guest_interruptibility);
}

static bool intr_sti_movss(struct check_ctx *c)
{
	uint64_t s = F(guest_interruptibility);
	return (s & (BLOCK_STI | BLOCK_MOV_SS)) != (BLOCK_STI | BLOCK_MOV_SS) ||
	       check_fail(c, VMCS_guest_interruptibility);
}

static bool intr_sti_if(struct check_ctx *c)
{
	return !(F(guest_interruptibility) & BLOCK_STI) || (F(guest_rflags) & RFLAGS_IF) ||
	       check_fail(c, VMCS_guest_interruptibility);
}

static bool intr_ext_int(struct check_ctx *c)
{
	return !injecting(c, INTR_EXT) ||
	       !(F(guest_interruptibility) & (BLOCK_STI | BLOCK_MOV_SS)) ||
	       check_fail(c, VMCS_guest_interruptibility);
}

static bool intr_nmi_movss(struct check_ctx *c)
{
	return !injecting(c, INTR_NMI) || !(F(guest_interruptibility) & BLOCK_MOV_SS) ||
	       check_fail(c, VMCS_guest_interruptibility);
}

/* The SDM lets a processor refuse an NMI injection under STI blocking
 * (qualification 3); we always refuse, so the VMM never relies on it. */
static bool intr_nmi_sti(struct check_ctx *c)
{
	return !injecting(c, INTR_NMI) || !(F(guest_interruptibility) & BLOCK_STI) ||
	       check_fail(c, VMCS_guest_interruptibility);
}

/* Blocking by SMI only in SMM; VM entry here never targets SMM. */
static bool intr_smi(struct check_ctx *c)
{
	return !(F(guest_interruptibility) & BLOCK_SMI) ||
	       check_fail(c, VMCS_guest_interruptibility);
}

static bool intr_vnmi(struct check_ctx *c)
{
	return !(F(pin_controls) & PIN_VIRTUAL_NMI) || !injecting(c, INTR_NMI) ||
	       !(F(guest_interruptibility) & BLOCK_NMI) ||
	       check_fail(c, VMCS_guest_interruptibility);
}

static bool pdbg_reserved(struct check_ctx *c)
{
	return !(F(guest_pending_dbg) & PDBG_RESERVED) || check_fail(c, VMCS_guest_pending_dbg);
}

/* Under STI/MOV-SS blocking or in HLT, BS reflects a pending single step:
 * set iff RFLAGS.TF = 1 and DEBUGCTL.BTF = 0. */
static bool pdbg_bs(struct check_ctx *c)
{
	if (!(F(guest_interruptibility) & (BLOCK_STI | BLOCK_MOV_SS)) &&
	    F(guest_activity_state) != ACT_HLT)
		return true;
	bool step = (F(guest_rflags) & RFLAGS_TF) && !(F(guest_debugctl) & DEBUGCTL_BTF);
	return step == !!(F(guest_pending_dbg) & PDBG_BS) ||
	       check_fail(c, VMCS_guest_pending_dbg);
}

/* RTM bit: only on a processor with RTM (CPUID.(EAX=07H,ECX=0):EBX[11]);
 * bits 11:0 and 14 clear, bit 12 set, no MOV-SS blocking. The processor
 * condition was missing until an audit against Bochs, which treats bit 16
 * as reserved on its RTM-less models, found it. */
static bool pdbg_rtm(struct check_ctx *c)
{
	uint64_t p = F(guest_pending_dbg);
	if (!(p & PDBG_RTM))
		return true;
	if (!c->caps->rtm || (p & 0xfff) || (p & PDBG_BS) || !(p & (1ull << 12)) ||
	    (F(guest_interruptibility) & BLOCK_MOV_SS))
		return check_fail(c, VMCS_guest_pending_dbg);
	return true;
}

/* The VMCS link pointer is ~0, or a 4K-aligned address within MAXPHYADDR
 * whose first dword holds the VMCS revision identifier in bits 30:0 and
 * the "VMCS shadowing" control in bit 31, and which is not the current
 * VMCS (outside SMM). The processor reads that dword at every entry; the
 * shadow reads it through link_page, from the VMM's own pages only, and
 * assumes the VMM does not rewrite a page it has linked without writing
 * the pointer again (its dirty validation would not see that). */
static bool link_ptr(struct check_ctx *c)
{
	uint64_t p = F(vmcs_link_ptr);
	if (p == ~0ull)
		return true;
	if (!page_addr_ok(c, p))
		return check_fail(c, VMCS_vmcs_link_ptr);
	uint32_t first;
	bool current;
	if (!c->link_page || !c->link_page(c->opaque, p, &first, &current))
		return true;
	uint32_t want = vmx_revision_id(c->caps) |
			((ctl_proc2(c) & PROC2_VMCS_SHADOW) ? 1u << 31 : 0);
	return (first == want && !current) || check_fail(c, VMCS_vmcs_link_ptr);
}

/* A present PDPTE has reserved bits 2:1, 8:5 and 63:MAXPHYADDR clear. */
static bool pdpte_ok(const struct check_ctx *c, uint64_t e)
{
	return !(e & 1) || (!(e & 0x1e6) && addr_fits(c, e));
}

/* 27.3.1.6: PAE paging (not IA-32e) loads four PDPTEs at VM entry: with
 * EPT from the VMCS fields; without it from memory, the 32 bytes at guest
 * CR3 bits 31:5, which the shadow reads through check_ctx.pdpt (from the
 * VMM's own pages only, and only at the entries whose dirty fields select
 * this row: a guest that rewrote its PDPT since would not be seen). */
static bool pdptes(struct check_ctx *c)
{
	if ((F(entry_controls) & ENTRY_IA32E_GUEST) || !(F(guest_cr0) & CR0_PG) || !(F(guest_cr4) & CR4_PAE))
		return true;
	if (!(ctl_proc2(c) & PROC2_EPT)) {
		uint64_t e[4];
		if (!c->pdpt || !c->pdpt(c->opaque, F(guest_cr3) & 0xffffffe0u, e))
			return true;
		for (unsigned i = 0; i < 4; i++)
			if (!pdpte_ok(c, e[i]))
				return check_fail(c, VMCS_guest_cr3);
		return true;
	}
	static const enum vmcs_field pdpte[] = {
		VMCS_guest_pdpte0, VMCS_guest_pdpte1, VMCS_guest_pdpte2, VMCS_guest_pdpte3,
	};
	for (unsigned i = 0; i < 4; i++)
		if (!pdpte_ok(c, check_field(c, pdpte[i])))
			return check_fail(c, pdpte[i]);
	return true;
}

/* 27.4: after the guest state is loaded, VM entry loads the MSRs of its
 * MSR-load area, entry by entry; the first bad entry fails the entry with
 * exit reason 34 and its one-based number as the qualification. An entry
 * is bad when bits 63:32 are not 0, or it names IA32_FS_BASE or
 * IA32_GS_BASE, an x2APIC MSR (800H-8FFH), or IA32_SMM_MONITOR_CTL (9BH,
 * writable only in SMM). Not modelled: the MSRs and values WRMSR itself
 * would refuse, and the MSRs a processor declines for model-specific
 * reasons: the shadow cannot know them. The area is read through
 * check_ctx.msr_entry, from the VMM's own pages only, and like the link
 * pointer's page it is assumed not to change behind a VMWRITE. */
static bool msr_entry_ok(uint64_t lo)
{
	uint32_t index = (uint32_t)lo;
	return (lo >> 32) == 0 && index != 0xc0000100 && index != 0xc0000101 && (index >> 8) != 0x8 &&
	       index != 0x9b;
}

static bool msr_load(struct check_ctx *c)
{
	uint64_t n = F(entry_msr_load_count);
	if (!n || !c->msr_entry)
		return true;
	uint64_t a = F(entry_msr_load_addr);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t e[2];
		if (!c->msr_entry(c->opaque, a + 16 * i, e))
			return true;
		if (!msr_entry_ok(e[0])) {
			c->bad_qual = i + 1;
			c->bad_detail = e[0];
			return check_fail(c, VMCS_entry_msr_load_addr);
		}
	}
	return true;
}

#define S5 "27.3.1.5"
#define INTR VMCS_entry_intr_info
#define ISTATE VMCS_guest_interruptibility
#define ACT VMCS_guest_activity_state

const struct entry_check entry_checks_state[] = {
	CHECK("guest.rip.high", "27.3.1.4", rip, FAIL_GUEST,
	      VMCS_guest_rip, VMCS_entry_controls, VMCS_guest_cs_ar),
	CHECK("guest.rflags.reserved", "27.3.1.4", rflags_reserved, FAIL_GUEST,
	      VMCS_guest_rflags),
	CHECK("guest.rflags.vm", "27.3.1.4", rflags_vm, FAIL_GUEST,
	      VMCS_guest_rflags, VMCS_entry_controls, VMCS_guest_cr0),
	CHECK("guest.rflags.if", "27.3.1.4", rflags_if, FAIL_GUEST, INTR, VMCS_guest_rflags),
	CHECK("guest.activity.value", S5, activity_value, FAIL_GUEST, ACT),
	CHECK("guest.activity.hlt_dpl", S5, activity_hlt_dpl, FAIL_GUEST,
	      ACT, VMCS_guest_ss_ar),
	CHECK("guest.activity.sti_movss", S5, activity_sti_movss, FAIL_GUEST, ISTATE, ACT),
	CHECK("guest.activity.event", S5, activity_event, FAIL_GUEST, INTR, ACT),
	CHECK("guest.intr.reserved", S5, intr_reserved, FAIL_GUEST, ISTATE),
	CHECK("guest.intr.sti_movss", S5, intr_sti_movss, FAIL_GUEST, ISTATE),
	CHECK("guest.intr.sti_if", S5, intr_sti_if, FAIL_GUEST, ISTATE, VMCS_guest_rflags),
	CHECK("guest.intr.ext_int", S5, intr_ext_int, FAIL_GUEST, INTR, ISTATE),
	CHECK("guest.intr.nmi_movss", S5, intr_nmi_movss, FAIL_GUEST, INTR, ISTATE),
	CHECK("guest.intr.nmi_sti", S5, intr_nmi_sti, FAIL_GUEST_Q(3), INTR, ISTATE),
	CHECK("guest.intr.smi", S5, intr_smi, FAIL_GUEST, ISTATE),
	CHECK("guest.intr.virtual_nmi", S5, intr_vnmi, FAIL_GUEST,
	      VMCS_pin_controls, INTR, ISTATE),
	CHECK("guest.pending_dbg.reserved", S5, pdbg_reserved, FAIL_GUEST,
	      VMCS_guest_pending_dbg),
	CHECK("guest.pending_dbg.bs", S5, pdbg_bs, FAIL_GUEST, VMCS_guest_pending_dbg,
	      ISTATE, ACT, VMCS_guest_rflags, VMCS_guest_debugctl),
	CHECK("guest.pending_dbg.rtm", S5, pdbg_rtm, FAIL_GUEST,
	      VMCS_guest_pending_dbg, ISTATE),
	CHECK("guest.link_ptr", S5, link_ptr, FAIL_GUEST_Q(4), VMCS_vmcs_link_ptr, VMCS_proc_controls,
	      VMCS_proc_controls2),
	CHECK("guest.pdpte", "27.3.1.6", pdptes, FAIL_GUEST_Q(2),
	      VMCS_proc_controls, VMCS_proc_controls2, VMCS_entry_controls,
	      VMCS_guest_cr0, VMCS_guest_cr4, VMCS_guest_cr3, VMCS_guest_pdpte0, VMCS_guest_pdpte1,
	      VMCS_guest_pdpte2, VMCS_guest_pdpte3),
	CHECK("msrload.entry", "27.4", msr_load, FAIL_MSR, VMCS_entry_msr_load_count, VMCS_entry_msr_load_addr),
};
const struct entry_check *const entry_check_guest_rip = &entry_checks_state[0];
const unsigned entry_checks_state_count = sizeof(entry_checks_state) / sizeof(entry_checks_state[0]);
