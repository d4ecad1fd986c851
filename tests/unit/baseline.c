/* The baseline VMCS: see baseline.h. Values follow BOCHS-NOTES.md. */
#include "tests/unit/baseline.h"
#include "vmm/vmcs_setup.h"
#include <string.h>

void baseline_host_state(struct host_state *h)
{
	*h = (struct host_state){
		.cr0 = 0x80050033, .cr3 = 0x1000, .cr4 = 0x2020,
		.gdt_base = 0x4000, .idt_base = 0x5000, .tr_base = 0x3000,
		.fs_base = 0, .gs_base = 0,
		.cs = 0x8, .ds = 0x10, .tr = 0x18,
		.rip = 0x200000, .rsp = 0x280000,
		.ptimer = true, .save_ptimer = true, .quantum = 20000,
	};
}

void baseline_caps(struct vmx_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	/* revision 0x2b, 4 KiB region, WB, INS/OUTS info, TRUE controls */
	caps->basic = 0x2bull | (0x1000ull << 32) | (6ull << 50) | (1ull << 54) | (1ull << 55);
	/* must-be-1 = what the TRUE MSRs adjusted to with nothing asked for */
	caps->pin = (struct vmx_ctl_cap){ .must_be_1 = 0x16, .may_be_1 = 0x7f };
	caps->proc = (struct vmx_ctl_cap){ .must_be_1 = 0x04006172, .may_be_1 = 0xfff9fffe };
	caps->proc2 = (struct vmx_ctl_cap){ .must_be_1 = 0, .may_be_1 = 0x02177fff };
	caps->exit = (struct vmx_ctl_cap){ .must_be_1 = 0x00036dfb, .may_be_1 = 0x007fffff };
	caps->entry = (struct vmx_ctl_cap){ .must_be_1 = 0x000011fb, .may_be_1 = 0x0000ffff };
	/* timer rate 5, stores LMA, HLT/shutdown/SIPI, 4 CR3 targets,
	 * 512 MSRs, VMWRITE to exit-information fields */
	caps->misc = 5 | (1ull << 5) | (7ull << 6) | (4ull << 16) | (1ull << 29);
	caps->cr0_fixed0 = 0x80000021;
	caps->cr0_fixed1 = 0xffffffff;
	caps->cr4_fixed0 = 0x2000;
	caps->cr4_fixed1 = 0x3727ff;
	caps->ept_vpid_cap = 0x00000f0106334141ull;
	caps->maxphyaddr = 40;
	caps->linaddr_bits = 48;
	caps->vmfunc = 1;               /* EPTP switching */
	caps->perf_global_valid = 0x70000000full;   /* 4 general, 3 fixed counters */
}

#define W(name, v) shadow_write(s, VMCS_##name, (v))

static void baseline_controls(struct vmcs_shadow *s)
{
	W(pin_controls, 0x5f);          /* ext-int, NMI exiting, preemption timer */
	W(proc_controls, 0x850061f2);   /* HLT, unconditional I/O, secondary */
	W(proc_controls2, 0x82);        /* EPT, unrestricted guest */
	W(exit_controls, 0x36ffb);      /* host address-space size */
	W(entry_controls, 0x11fb);      /* must-be-1 only: not IA-32e */
	W(ept_pointer, 0x100000 | (3 << 3) | 6);
	W(vpid, 0);
	W(io_bitmap_a, 0);
	W(io_bitmap_b, 0);
	W(msr_bitmap, 0);
	W(exit_msr_store_addr, 0);
	W(exit_msr_load_addr, 0);
	W(entry_msr_load_addr, 0);
	W(tsc_offset, 0);
	W(tsc_multiplier, 1ull << 48);  /* 1.0 */
	W(virtual_apic_addr, 0);
	W(apic_access_addr, 0);
	W(exception_bitmap, 0);
	W(pf_error_mask, 0);
	W(pf_error_match, 0);
	W(cr3_target_count, 0);
	W(exit_msr_store_count, 0);
	W(exit_msr_load_count, 0);
	W(entry_msr_load_count, 0);
	W(entry_intr_info, 0);
	W(entry_exception_error, 0);
	W(entry_instr_len, 0);
	W(tpr_threshold, 0);
	W(cr0_mask, 0);
	W(cr4_mask, 0);
	W(cr0_read_shadow, 0);
	W(cr4_read_shadow, 0);
}

static void baseline_host(struct vmcs_shadow *s)
{
	W(host_cr0, 0x80050033);
	W(host_cr3, 0x2000);
	W(host_cr4, 0x2020);
	W(host_es_sel, 0x10);
	W(host_cs_sel, 0x08);
	W(host_ss_sel, 0x10);
	W(host_ds_sel, 0x10);
	W(host_fs_sel, 0x10);
	W(host_gs_sel, 0x10);
	W(host_tr_sel, 0x18);
	W(host_fs_base, 0);
	W(host_gs_base, 0);
	W(host_tr_base, 0x3000);
	W(host_gdtr_base, 0x4000);
	W(host_idtr_base, 0x5000);
	W(host_sysenter_cs, 0);
	W(host_sysenter_esp, 0);
	W(host_sysenter_eip, 0);
	W(host_pat, 0x0007040600070406ull);
	W(host_efer, 0x500);
	W(host_rsp, 0x280000);
	W(host_rip, 0x200000);
}

static void baseline_guest(struct vmcs_shadow *s)
{
	W(guest_cr0, 0x31);             /* PE, ET, NE; paging off */
	W(guest_cr3, 0);
	W(guest_cr4, 0x2000);           /* VMXE */
	W(guest_dr7, 0x400);
	W(guest_debugctl, 0);
	W(guest_sysenter_cs, 0);
	W(guest_sysenter_esp, 0);
	W(guest_sysenter_eip, 0);
	W(guest_pat, 0x0007040600070406ull);
	W(guest_efer, 0);
	W(guest_cs_sel, 0x08);
	W(guest_cs_ar, 0xc09b);
	W(guest_cs_limit, 0xffffffff);
	W(guest_cs_base, 0);
	static const enum vmcs_field data[][4] = {
		{ VMCS_guest_ds_sel, VMCS_guest_ds_ar, VMCS_guest_ds_limit, VMCS_guest_ds_base },
		{ VMCS_guest_es_sel, VMCS_guest_es_ar, VMCS_guest_es_limit, VMCS_guest_es_base },
		{ VMCS_guest_ss_sel, VMCS_guest_ss_ar, VMCS_guest_ss_limit, VMCS_guest_ss_base },
		{ VMCS_guest_fs_sel, VMCS_guest_fs_ar, VMCS_guest_fs_limit, VMCS_guest_fs_base },
		{ VMCS_guest_gs_sel, VMCS_guest_gs_ar, VMCS_guest_gs_limit, VMCS_guest_gs_base },
	};
	for (unsigned i = 0; i < 5; i++) {
		shadow_write(s, data[i][0], 0x10);
		shadow_write(s, data[i][1], 0xc093);
		shadow_write(s, data[i][2], 0xffffffff);
		shadow_write(s, data[i][3], 0);
	}
	W(guest_ldtr_sel, 0);
	W(guest_ldtr_ar, 0x10000);      /* unusable */
	W(guest_ldtr_limit, 0);
	W(guest_ldtr_base, 0);
	W(guest_tr_sel, 0x18);
	W(guest_tr_ar, 0x8b);           /* busy 32-bit TSS */
	W(guest_tr_limit, 0x67);
	W(guest_tr_base, 0);
	W(guest_gdtr_base, 0);
	W(guest_gdtr_limit, 0xffff);
	W(guest_idtr_base, 0);
	W(guest_idtr_limit, 0xffff);
	W(guest_rip, 0x1000);
	W(guest_rsp, 0x8000);
	W(guest_rflags, 0x2);
	W(guest_activity_state, 0);
	W(guest_interruptibility, 0);
	W(guest_pending_dbg, 0);
	W(vmcs_link_ptr, ~0ull);
	W(preemption_timer, 100000);
	W(guest_pdpte0, 0);
	W(guest_pdpte1, 0);
	W(guest_pdpte2, 0);
	W(guest_pdpte3, 0);
}

void baseline_shadow(struct vmcs_shadow *s)
{
	shadow_init(s);
	baseline_controls(s);
	baseline_host(s);
	baseline_guest(s);
}

/* The VMM memory the MSR-load row may read in tests: one 16-byte entry at
 * BASELINE_MSR_AREA (IA32_FS_BASE, which VM entry refuses to load), and
 * nothing anywhere else. */
static bool baseline_msr_entry(void *opaque, uint64_t pa, uint64_t entry[2])
{
	(void)opaque;
	if (pa != BASELINE_MSR_AREA)
		return false;
	entry[0] = 0xc0000100;
	entry[1] = 0;
	return true;
}

void baseline_ctx(struct check_ctx *c, struct vmcs_shadow *s, struct vmx_caps *caps)
{
	baseline_caps(caps);
	baseline_shadow(s);
	memset(c, 0, sizeof(*c));
	c->s = s;
	c->caps = caps;
	c->bad_field = VMCS_FIELD_NONE;
	c->msr_entry = baseline_msr_entry;
}
