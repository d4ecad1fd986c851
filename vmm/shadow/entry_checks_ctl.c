/* Checks on the VM-execution control fields, SDM Vol. 3C 27.2.1.1 (the
 * VM-exit and VM-entry control fields are entry_checks_exit_entry.c). A
 * failure is VMfailValid with VM-instruction error 7 ("VM entry with
 * invalid control fields"). */
#include "vmm/shadow/entry_checks_impl.h"

/* 27.2.1.1 VM-execution control fields */

static bool pin_reserved(struct check_ctx *c)
{
	return ctl_fits(c->caps->pin, F(pin_controls)) ||
	       check_fail(c, VMCS_pin_controls);
}

static bool proc_reserved(struct check_ctx *c)
{
	return ctl_fits(c->caps->proc, F(proc_controls)) ||
	       check_fail(c, VMCS_proc_controls);
}

static bool proc2_reserved(struct check_ctx *c)
{
	if (!(F(proc_controls) & PROC_SECONDARY))
		return true;
	return ctl_fits(c->caps->proc2, F(proc_controls2)) ||
	       check_fail(c, VMCS_proc_controls2);
}

/* At most IA32_VMX_MISC[24:16] CR3-target values. */
static bool cr3_target_count(struct check_ctx *c)
{
	return F(cr3_target_count) <= ((c->caps->misc >> 16) & 0x1ff) ||
	       check_fail(c, VMCS_cr3_target_count);
}

static bool io_bitmaps(struct check_ctx *c)
{
	if (!(F(proc_controls) & PROC_IO_BITMAPS))
		return true;
	if (!page_addr_ok(c, F(io_bitmap_a)))
		return check_fail(c, VMCS_io_bitmap_a);
	return page_addr_ok(c, F(io_bitmap_b)) || check_fail(c, VMCS_io_bitmap_b);
}

static bool msr_bitmap(struct check_ctx *c)
{
	if (!(F(proc_controls) & PROC_MSR_BITMAPS))
		return true;
	return page_addr_ok(c, F(msr_bitmap)) || check_fail(c, VMCS_msr_bitmap);
}

static bool vapic_addr(struct check_ctx *c)
{
	if (!(F(proc_controls) & PROC_TPR_SHADOW))
		return true;
	return page_addr_ok(c, F(virtual_apic_addr)) ||
	       check_fail(c, VMCS_virtual_apic_addr);
}

/* With a TPR shadow and no virtual-interrupt delivery, TPR threshold
 * bits 31:4 are 0. (The threshold-vs-VTPR rule needs the virtual-APIC page
 * contents, which the shadow cannot see.) */
static bool tpr_threshold(struct check_ctx *c)
{
	if (!(F(proc_controls) & PROC_TPR_SHADOW) || (ctl_proc2(c) & PROC2_VID))
		return true;
	return (F(tpr_threshold) & ~0xfull) == 0 || check_fail(c, VMCS_tpr_threshold);
}

/* Without a TPR shadow: no x2APIC virtualization, APIC-register
 * virtualization or virtual-interrupt delivery. */
static bool tpr_shadow_off(struct check_ctx *c)
{
	if (F(proc_controls) & PROC_TPR_SHADOW)
		return true;
	return !(ctl_proc2(c) & (PROC2_X2APIC | PROC2_APIC_REG | PROC2_VID)) ||
	       check_fail(c, VMCS_proc_controls2);
}

static bool virtual_nmi(struct check_ctx *c)
{
	uint64_t pin = F(pin_controls);
	return (pin & PIN_NMI_EXITING) || !(pin & PIN_VIRTUAL_NMI) ||
	       check_fail(c, VMCS_pin_controls);
}

static bool nmi_window(struct check_ctx *c)
{
	return (F(pin_controls) & PIN_VIRTUAL_NMI) ||
	       !(F(proc_controls) & PROC_NMI_WINDOW) ||
	       check_fail(c, VMCS_proc_controls);
}

static bool apic_access_addr(struct check_ctx *c)
{
	if (!(ctl_proc2(c) & PROC2_APIC_ACCESS))
		return true;
	return page_addr_ok(c, F(apic_access_addr)) ||
	       check_fail(c, VMCS_apic_access_addr);
}

static bool x2apic_excl(struct check_ctx *c)
{
	uint32_t p2 = ctl_proc2(c);
	return !(p2 & PROC2_X2APIC) || !(p2 & PROC2_APIC_ACCESS) ||
	       check_fail(c, VMCS_proc_controls2);
}

static bool vid_ext_int(struct check_ctx *c)
{
	if (!(ctl_proc2(c) & PROC2_VID))
		return true;
	return (F(pin_controls) & PIN_EXT_INT_EXITING) || check_fail(c, VMCS_pin_controls);
}

static bool vpid_nonzero(struct check_ctx *c)
{
	if (!(ctl_proc2(c) & PROC2_VPID))
		return true;
	return F(vpid) != 0 || check_fail(c, VMCS_vpid);
}

/* EPTP (SDM 25.6.11): memory type UC or WB as IA32_VMX_EPT_VPID_CAP allows. */
static bool ept_memtype(struct check_ctx *c)
{
	if (!(ctl_proc2(c) & PROC2_EPT))
		return true;
	unsigned t = F(ept_pointer) & 7;
	uint64_t cap = c->caps->ept_vpid_cap;
	if ((t == 0 && (cap & EPTCAP_UC)) || (t == 6 && (cap & EPTCAP_WB)))
		return true;
	return check_fail(c, VMCS_ept_pointer);
}

/* Bits 5:3 are the page-walk length minus 1: 4 (or 5 where supported). */
static bool ept_walk(struct check_ctx *c)
{
	if (!(ctl_proc2(c) & PROC2_EPT))
		return true;
	unsigned w = (F(ept_pointer) >> 3) & 7;
	uint64_t cap = c->caps->ept_vpid_cap;
	if ((w == 3 && (cap & EPTCAP_WALK4)) || (w == 4 && (cap & EPTCAP_WALK5)))
		return true;
	return check_fail(c, VMCS_ept_pointer);
}

static bool ept_ad(struct check_ctx *c)
{
	if (!(ctl_proc2(c) & PROC2_EPT))
		return true;
	return !(F(ept_pointer) & (1u << 6)) || (c->caps->ept_vpid_cap & EPTCAP_AD) ||
	       check_fail(c, VMCS_ept_pointer);
}

/* Bits 11:7 reserved (bit 7, supervisor shadow stacks, needs CET, which
 * the VMM never exposes), and nothing at or beyond MAXPHYADDR. */
static bool ept_reserved(struct check_ctx *c)
{
	if (!(ctl_proc2(c) & PROC2_EPT))
		return true;
	uint64_t e = F(ept_pointer);
	return ((e & 0xf80) == 0 && addr_fits(c, e)) || check_fail(c, VMCS_ept_pointer);
}

/* A secondary control that works only with "enable EPT". */
static bool needs_ept(struct check_ctx *c, uint32_t bit)
{
	uint32_t p2 = ctl_proc2(c);
	return !(p2 & bit) || (p2 & PROC2_EPT) || check_fail(c, VMCS_proc_controls2);
}

static bool pml_ept(struct check_ctx *c)
{
	return needs_ept(c, PROC2_PML);
}

/* A page-aligned address within MAXPHYADDR where `bit` of the secondary
 * controls is 1: the PML log, the VMREAD and VMWRITE bitmaps, the #VE
 * information area. */
static bool page_if(struct check_ctx *c, uint32_t bit, enum vmcs_field f)
{
	return !(ctl_proc2(c) & bit) || page_addr_ok(c, check_field(c, f)) || check_fail(c, f);
}

static bool pml_addr(struct check_ctx *c)
{
	return page_if(c, PROC2_PML, VMCS_pml_address);
}

static bool shadow_bitmaps(struct check_ctx *c)
{
	return page_if(c, PROC2_VMCS_SHADOW, VMCS_vmread_bitmap) &&
	       page_if(c, PROC2_VMCS_SHADOW, VMCS_vmwrite_bitmap);
}

static bool ve_info_addr(struct check_ctx *c)
{
	return page_if(c, PROC2_EPT_VE, VMCS_ve_info_addr);
}

/* VM functions: only those IA32_VMX_VMFUNC allows. */
static bool vmfunc_reserved(struct check_ctx *c)
{
	return !(ctl_proc2(c) & PROC2_VMFUNC) || !(F(vmfunc_controls) & ~c->caps->vmfunc) ||
	       check_fail(c, VMCS_vmfunc_controls);
}

/* EPTP switching needs EPT and a page-aligned EPTP list within MAXPHYADDR. */
static bool eptp_switching(struct check_ctx *c)
{
	uint32_t p2 = ctl_proc2(c);
	if (!(p2 & PROC2_VMFUNC) || !(F(vmfunc_controls) & VMFUNC_EPTP_SWITCH))
		return true;
	if (!(p2 & PROC2_EPT))
		return check_fail(c, VMCS_proc_controls2);
	return page_addr_ok(c, F(eptp_list_addr)) || check_fail(c, VMCS_eptp_list_addr);
}

static bool mbec_ept(struct check_ctx *c)
{
	return needs_ept(c, PROC2_MBEC);
}

/* "Use TSC scaling" needs a TSC multiplier other than 0 (27.2.1.1). Found
 * by the differential mode's random resume cases: Bochs 2.7 checks it
 * (vmx.cc: "TSC multiplier should be non zero"), the shadow did not; KVM
 * added the same check to its nested VMX in 2025, citing the SDM. */
static bool tsc_multiplier(struct check_ctx *c)
{
	return !(ctl_proc2(c) & PROC2_TSC_SCALING) || F(tsc_multiplier) != 0 ||
	       check_fail(c, VMCS_tsc_multiplier);
}

static bool ug_ept(struct check_ctx *c)
{
	return needs_ept(c, PROC2_UNRESTRICTED);
}

#define PIN   VMCS_pin_controls
#define PROC  VMCS_proc_controls
#define PROC2 VMCS_proc_controls2

const struct entry_check entry_checks_ctl[] = {
	CHECK("ctl.pin.reserved", "27.2.1.1", pin_reserved, FAIL_CTL, PIN),
	CHECK("ctl.proc.reserved", "27.2.1.1", proc_reserved, FAIL_CTL, PROC),
	CHECK("ctl.proc2.reserved", "27.2.1.1", proc2_reserved, FAIL_CTL, PROC, PROC2),
	CHECK("ctl.cr3_target_count", "27.2.1.1", cr3_target_count, FAIL_CTL,
	      VMCS_cr3_target_count),
	CHECK("ctl.io_bitmaps", "27.2.1.1", io_bitmaps, FAIL_CTL,
	      PROC, VMCS_io_bitmap_a, VMCS_io_bitmap_b),
	CHECK("ctl.msr_bitmap", "27.2.1.1", msr_bitmap, FAIL_CTL, PROC, VMCS_msr_bitmap),
	CHECK("ctl.tpr_shadow.vapic_addr", "27.2.1.1", vapic_addr, FAIL_CTL,
	      PROC, VMCS_virtual_apic_addr),
	CHECK("ctl.tpr_shadow.threshold", "27.2.1.1", tpr_threshold, FAIL_CTL,
	      PROC, PROC2, VMCS_tpr_threshold),
	CHECK("ctl.tpr_shadow.off", "27.2.1.1", tpr_shadow_off, FAIL_CTL, PROC, PROC2),
	CHECK("ctl.nmi.virtual_nmi", "27.2.1.1", virtual_nmi, FAIL_CTL, PIN),
	CHECK("ctl.nmi.window", "27.2.1.1", nmi_window, FAIL_CTL, PIN, PROC),
	CHECK("ctl.apic_access_addr", "27.2.1.1", apic_access_addr, FAIL_CTL,
	      PROC, PROC2, VMCS_apic_access_addr),
	CHECK("ctl.x2apic.apic_access", "27.2.1.1", x2apic_excl, FAIL_CTL, PROC, PROC2),
	CHECK("ctl.vid.ext_int", "27.2.1.1", vid_ext_int, FAIL_CTL, PROC, PROC2, PIN),
	CHECK("ctl.vpid.nonzero", "27.2.1.1", vpid_nonzero, FAIL_CTL,
	      PROC, PROC2, VMCS_vpid),
	CHECK("ctl.ept.memtype", "27.2.1.1", ept_memtype, FAIL_CTL,
	      PROC, PROC2, VMCS_ept_pointer),
	CHECK("ctl.ept.walk", "27.2.1.1", ept_walk, FAIL_CTL, PROC, PROC2, VMCS_ept_pointer),
	CHECK("ctl.ept.ad", "27.2.1.1", ept_ad, FAIL_CTL, PROC, PROC2, VMCS_ept_pointer),
	CHECK("ctl.ept.reserved", "27.2.1.1", ept_reserved, FAIL_CTL,
	      PROC, PROC2, VMCS_ept_pointer),
	CHECK("ctl.pml.ept", "27.2.1.1", pml_ept, FAIL_CTL, PROC, PROC2),
	CHECK("ctl.pml.addr", "27.2.1.1", pml_addr, FAIL_CTL, PROC, PROC2, VMCS_pml_address),
	CHECK("ctl.vmcs_shadowing.bitmaps", "27.2.1.1", shadow_bitmaps, FAIL_CTL, PROC, PROC2,
	      VMCS_vmread_bitmap, VMCS_vmwrite_bitmap),
	CHECK("ctl.ept_ve.info_addr", "27.2.1.1", ve_info_addr, FAIL_CTL, PROC, PROC2, VMCS_ve_info_addr),
	CHECK("ctl.vmfunc.reserved", "27.2.1.1", vmfunc_reserved, FAIL_CTL, PROC, PROC2, VMCS_vmfunc_controls),
	CHECK("ctl.vmfunc.eptp_switching", "27.2.1.1", eptp_switching, FAIL_CTL, PROC, PROC2,
	      VMCS_vmfunc_controls, VMCS_eptp_list_addr),
	CHECK("ctl.mbec.ept", "27.2.1.1", mbec_ept, FAIL_CTL, PROC, PROC2),
	CHECK("ctl.ug.ept", "27.2.1.1", ug_ept, FAIL_CTL, PROC, PROC2),
	CHECK("ctl.tsc_multiplier", "27.2.1.1", tsc_multiplier, FAIL_CTL, PROC, PROC2, VMCS_tsc_multiplier),
};
const unsigned entry_checks_ctl_count = sizeof(entry_checks_ctl) / sizeof(entry_checks_ctl[0]);
