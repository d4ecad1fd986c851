/* VMCS set-up for one VM, as one linear function per area (SimpleVisor
 * style): controls, host state, guest state, each value computed where it
 * is written. Every VMWRITE goes through notify_write (and so the shadow). */
#include "vmm/vmcs_setup.h"
#include "vmm/shadow/entry_checks.h"
#include "vmm/pc/pc.h"


#define W(f, v) do { if (!notify_write(n, vm, VMCS_##f, (v))) return false; } while (0)

uint64_t vmcs_eptp(uint64_t pml4_pa)
{
	return pml4_pa | (3u << 3) | 6;   /* walk length 4 - 1, write-back */
}

/* CR0 as each mode starts: protection on for prot32 and long64, paging
 * on for long64 only. */
static uint64_t guest_cr0(enum guest_mode mode)
{
	return (mode == MODE_REAL16 ? 0 : CR0_PE) | (mode == MODE_LONG64 ? CR0_PG : 0) | CR0_ET | CR0_NE;
}

/* A PC VM's own controls are vmm/pc/pc.h's PC_*_CONTROLS; its CR0.PG is
 * host-owned as well, so that paging changes exit (vmm/pc/pc_cr.c). Its
 * exception bitmap is 0: a kernel handles its own faults, #UD and #GP
 * included. */
/* PAT's power-up value (SDM Vol. 3A 13.12.4). */
#define PAT_RESET 0x0007040600070406ull

static bool setup_controls(struct notify *n, struct vm *vm, const struct host_state *h)
{
	const struct vmx_caps *c = n->caps;
	bool pc = vm->pc_on;
	W(pin_controls, vmx_ctl_adjust(c->pin, PIN_EXT_INT_EXITING | PIN_NMI_EXITING |
					     (h->ptimer ? PIN_PREEMPTION_TIMER : 0)));
	W(proc_controls, vmx_ctl_adjust(c->proc, PROC_HLT_EXITING | PROC_UNCOND_IO | PROC_SECONDARY |
						    (pc ? PC_PROC_CONTROLS : 0)));
	W(proc_controls2, vmx_ctl_adjust(c->proc2, PROC2_EPT | PROC2_UNRESTRICTED));
	/* #UD (6) and #GP (13) exit, so the VMM can count them and stop a
	 * guest that faults forever; it reflects each one back (exits.c). */
	W(exception_bitmap, pc ? 0 : (1u << 6) | (1u << 13));
	W(pf_error_mask, 0);
	W(pf_error_match, 0);
	W(cr3_target_count, 0);
	/* The guest may not clear CR0.NE or CR4.VMXE (fixed to 1 in VMX
	 * operation); it reads them back as it wrote them. */
	W(cr0_mask, CR0_NE | (pc ? CR0_PG : 0));
	W(cr4_mask, CR4_VMXE);
	W(cr0_read_shadow, guest_cr0(vm->image->mode) & ~(pc ? CR0_NE : 0));
	W(cr4_read_shadow, 0);
	W(ept_pointer, vmcs_eptp(vm->ept_pa));
	if (pc)
		W(msr_bitmap, vm->pc.msr_bitmap_pa);
	W(exit_controls, vmx_ctl_adjust(c->exit, EXIT_HOST_AS_SIZE | (h->save_ptimer ? EXIT_SAVE_PREEMPTION_TIMER : 0) |
						     (pc ? PC_EXIT_CONTROLS : 0)));
	W(exit_msr_store_count, 0);
	W(exit_msr_load_count, 0);
	/* A long64 guest is IA-32e: with "load IA32_EFER" 0, VM entry sets its
	 * EFER.LMA and LME from this control (SDM Vol. 3C 27.3.2.1). */
	W(entry_controls, vmx_ctl_adjust(c->entry, (vm->image->mode == MODE_LONG64 ? ENTRY_IA32E_GUEST : 0) |
						      (pc ? PC_ENTRY_CONTROLS : 0)));
	W(entry_msr_load_count, 0);
	W(entry_intr_info, 0);
	return true;
}

static bool setup_host(struct notify *n, struct vm *vm, const struct host_state *h)
{
	W(host_cr0, h->cr0);
	W(host_cr3, h->cr3);
	W(host_cr4, h->cr4);
	W(host_es_sel, h->ds);
	W(host_cs_sel, h->cs);
	W(host_ss_sel, h->ds);
	W(host_ds_sel, h->ds);
	W(host_fs_sel, h->ds);
	W(host_gs_sel, h->ds);
	W(host_tr_sel, h->tr);
	W(host_fs_base, h->fs_base);
	W(host_gs_base, h->gs_base);
	W(host_tr_base, h->tr_base);
	W(host_gdtr_base, h->gdt_base);
	W(host_idtr_base, h->idt_base);
	W(host_sysenter_cs, 0);
	W(host_sysenter_esp, 0);
	W(host_sysenter_eip, 0);
	W(host_rsp, h->rsp);
	W(host_rip, h->rip);
	if (vm->pc_on) {
		W(host_efer, h->efer);
		W(host_pat, h->pat);
	}
	return true;
}

/* What a VMCS must say anew when its VM moves to another logical
 * processor: each processor has its own GDT, IDT, TSS, per-CPU base and
 * exit stack; the control registers, selectors and exit stub are shared. */
bool vmcs_setup_host_percpu(struct notify *n, struct vm *vm)
{
	const struct host_state *h = n->setup_ctx;
	W(host_fs_base, h->fs_base);
	W(host_gs_base, h->gs_base);
	W(host_tr_base, h->tr_base);
	W(host_gdtr_base, h->gdt_base);
	W(host_idtr_base, h->idt_base);
	W(host_rsp, h->rsp);
	return true;
}

/* Flat 4 GiB segments for prot32 guests, the same with a 64-bit code
 * segment (L = 1, D = 0) for long64 guests; 64 KiB real-mode segments at
 * 0 for real16 guests. No descriptor tables exist in guest memory: VM
 * entry loads the hidden parts from these fields. */
#define SEG(s, sel, base, limit, ar)        \
	do {                                \
		W(guest_##s##_sel, sel);    \
		W(guest_##s##_base, base);  \
		W(guest_##s##_limit, limit);\
		W(guest_##s##_ar, ar);      \
	} while (0)

static bool setup_guest(struct notify *n, struct vm *vm, const struct host_state *h)
{
	const struct vmx_caps *c = n->caps;
	enum guest_mode mode = vm->image->mode;
	/* Unrestricted guest lifts the PE and PG fixed-1 bits (SDM 27.3.1.1). */
	uint64_t cr0_fixed = c->cr0_fixed0 & ~(CR0_PE | CR0_PG);
	W(guest_cr0, (guest_cr0(mode) | cr0_fixed) & c->cr0_fixed1);
	W(guest_cr3, mode == MODE_LONG64 ? guest_tables_gpa(vm->mem_size) : 0);
	W(guest_cr4, (c->cr4_fixed0 | CR4_VMXE | (mode == MODE_LONG64 ? CR4_PAE : 0)) & c->cr4_fixed1);
	W(guest_dr7, 0x400);
	if (mode != MODE_REAL16) {
		uint16_t cs = vm->start.cs, ds = vm->start.ds;
		SEG(cs, cs, 0, 0xffffffff, mode == MODE_LONG64 ? 0xa09b : 0xc09b);
		SEG(ss, ds, 0, 0xffffffff, 0xc093);
		SEG(ds, ds, 0, 0xffffffff, 0xc093);
		SEG(es, ds, 0, 0xffffffff, 0xc093);
		SEG(fs, ds, 0, 0xffffffff, 0xc093);
		SEG(gs, ds, 0, 0xffffffff, 0xc093);
	} else {
		SEG(cs, 0, 0, 0xffff, 0x9b);
		SEG(ss, 0, 0, 0xffff, 0x93);
		SEG(ds, 0, 0, 0xffff, 0x93);
		SEG(es, 0, 0, 0xffff, 0x93);
		SEG(fs, 0, 0, 0xffff, 0x93);
		SEG(gs, 0, 0, 0xffff, 0x93);
	}
	SEG(ldtr, 0, 0, 0, AR_UNUSABLE);
	SEG(tr, 0, 0, 0x67, 0x8b);                /* busy TSS: 32-bit, or 64-bit in IA-32e mode */
	W(guest_gdtr_base, vm->start.gdt_base);
	W(guest_gdtr_limit, vm->start.gdt_limit);
	W(guest_idtr_base, 0);
	W(guest_idtr_limit, 0xffff);
	W(guest_rsp, vm->pc_on ? 0 : vm->mem_size - guest_reserved_top(mode) - 16);
	W(guest_rip, vm->start.rip);
	if (vm->pc_on) {
		W(guest_efer, 0);
		W(guest_pat, PAT_RESET);
	}
	W(guest_rflags, 0x2);
	W(guest_debugctl, 0);
	W(guest_sysenter_cs, 0);
	W(guest_sysenter_esp, 0);
	W(guest_sysenter_eip, 0);
	W(guest_interruptibility, 0);
	W(guest_activity_state, 0);
	W(guest_pending_dbg, 0);
	W(vmcs_link_ptr, ~0ull);
	if (h->ptimer)
		W(preemption_timer, h->quantum);
	return true;
}

bool vmcs_setup(struct notify *n, struct vm *vm)
{
	const struct host_state *h = n->setup_ctx;
	return setup_controls(n, vm, h) && setup_host(n, vm, h) && setup_guest(n, vm, h);
}

