/* RDMSR and WRMSR of a PC VM (SDM Vol. 3C 26.1.3: with MSR bitmaps, an
 * access exits when its bit is set). Every MSR the guest may use has one
 * row in msr_table: where its value lives (a VMCS field the processor
 * switches, the VM's own copy that is loaded into the processor it runs
 * on, or a fixed value) and which writes it takes. Every other MSR raises
 * #GP(0), as on a processor without it: Linux probes such MSRs with its
 * *_safe accessors. Reads of the switched MSRs and both ways of FS and GS
 * base do not exit (their bits are clear): the processor holds the
 * guest's values while it runs. */
#include "vmm/pc/pc.h"
#include "vmm/trace.h"
#include "arch/x86/vmx.h"
#include "arch/x86/percpu.h"

#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

enum msr_home {
	MSR_VMCS,       /* a guest-state field */
	MSR_SWITCHED,   /* the VM's copy, loaded into the processor (pc_msrs_enter) */
	MSR_FIXED,      /* reads the value; writes are ignored */
	MSR_TSC,        /* the TSC itself: read only */
	MSR_EFER,       /* guest_efer, with LMA the processor's */
	MSR_PAT,        /* guest_pat, each entry a valid memory type */
	MSR_DEF_TYPE,   /* the VM's copy, no effect (no MTRRs in CPUID) */
};

struct msr_row {
	uint32_t index;
	enum msr_home home;
	enum vmcs_field field;          /* MSR_VMCS */
	uint64_t value;                 /* MSR_FIXED */
	unsigned slot;                  /* MSR_SWITCHED: its place in struct pc_msrs */
};

/* The switched MSRs' places in struct pc_msrs, in PC_MSRS_SWITCHED's order. */
enum {
#define PC_MSR_SLOT(name, index) SLOT_##name,
	PC_MSRS_SWITCHED(PC_MSR_SLOT)
#undef PC_MSR_SLOT
	SLOTS
};
static const uint32_t switched_index[SLOTS] = {
#define PC_MSR_INDEX(name, index) index,
	PC_MSRS_SWITCHED(PC_MSR_INDEX)
#undef PC_MSR_INDEX
};

static const struct msr_row msr_table[] = {
	{ .index = 0x00000010, .home = MSR_TSC },
	{ .index = 0x00000017, .home = MSR_FIXED, .value = 0 },            /* IA32_PLATFORM_ID */
	{ .index = 0x0000003a, .home = MSR_FIXED, .value = 1 },            /* FEATURE_CONTROL: locked, VMX off */
	{ .index = 0x0000008b, .home = MSR_FIXED, .value = 0 },            /* BIOS_SIGN_ID: no microcode */
	{ .index = 0x000000fe, .home = MSR_FIXED, .value = 0 },            /* MTRRCAP: no ranges */
	{ .index = 0x00000174, .home = MSR_VMCS, .field = VMCS_guest_sysenter_cs },
	{ .index = 0x00000175, .home = MSR_VMCS, .field = VMCS_guest_sysenter_esp },
	{ .index = 0x00000176, .home = MSR_VMCS, .field = VMCS_guest_sysenter_eip },
	{ .index = 0x000001a0, .home = MSR_FIXED, .value = 1 },            /* MISC_ENABLE: fast strings */
	{ .index = 0x000001d9, .home = MSR_VMCS, .field = VMCS_guest_debugctl },
	{ .index = 0x00000277, .home = MSR_PAT },
	{ .index = 0x000002ff, .home = MSR_DEF_TYPE },
	{ .index = 0xc0000080, .home = MSR_EFER },
	{ .index = 0xc0000081, .home = MSR_SWITCHED, .slot = SLOT_star },
	{ .index = 0xc0000082, .home = MSR_SWITCHED, .slot = SLOT_lstar },
	{ .index = 0xc0000083, .home = MSR_SWITCHED, .slot = SLOT_cstar },
	{ .index = 0xc0000084, .home = MSR_SWITCHED, .slot = SLOT_sfmask },
	{ .index = 0xc0000100, .home = MSR_VMCS, .field = VMCS_guest_fs_base },
	{ .index = 0xc0000101, .home = MSR_VMCS, .field = VMCS_guest_gs_base },
	{ .index = 0xc0000102, .home = MSR_SWITCHED, .slot = SLOT_kernel_gs_base },
};

static const struct msr_row *msr_find(uint32_t index)
{
	for (unsigned i = 0; i < sizeof(msr_table) / sizeof(msr_table[0]); i++)
		if (msr_table[i].index == index)
			return &msr_table[i];
	return NULL;
}

static uint64_t *slot(struct vm *vm, unsigned k)
{
	return &vm->pc.msr.star + k;    /* the X-macro's fields are in slot order */
}

/* Canonical for 48-bit linear addresses (bits 63:47 all equal). */
static bool canonical(uint64_t v)
{
	return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

/* Memory types a PAT entry may hold (SDM Vol. 3A 13.12.2): 0, 1, 4-7. */
static bool pat_valid(uint64_t v)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned t = (v >> (8 * i)) & 0xff;
		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

static enum exit_action msr_gp(struct notify *n, struct vm *vm, const char *op, uint32_t index)
{
	vm->pc.n.msr_gp++;
	trace_vm(vm->id, TEV_VM_msr, "op=%s msr=0x%x result=gp", op, index);
	return pc_inject_exception(n, vm, PC_VECTOR_GP);
}

enum exit_action pc_rdmsr(struct notify *n, struct vm *vm)
{
	uint32_t index = (uint32_t)vm->regs.rcx;
	const struct msr_row *r = msr_find(index);
	uint64_t v = 0;
	vm->pc.n.msr_reads++;
	if (!r)
		return msr_gp(n, vm, "read", index);
	switch (r->home) {
	case MSR_VMCS:     if (!notify_read(n, vm, r->field, &v)) return exits_stop(vm, "cannot read an MSR's field"); break;
	case MSR_EFER:     if (!notify_read(n, vm, VMCS_guest_efer, &v)) return exits_stop(vm, "cannot read guest EFER"); break;
	case MSR_PAT:      if (!notify_read(n, vm, VMCS_guest_pat, &v)) return exits_stop(vm, "cannot read guest PAT"); break;
	case MSR_SWITCHED: v = *slot(vm, r->slot); break;
	case MSR_FIXED:    v = r->value; break;
	case MSR_TSC:      v = vmx_now(); break;
	case MSR_DEF_TYPE: v = vm->pc.msr.mtrr_def_type; break;
	}
	vm->regs.rax = (uint32_t)v;
	vm->regs.rdx = v >> 32;
	return exits_advance_rip(n, vm);
}

/* EFER: SCE, LME and NXE are the guest's; LMA stays the processor's
 * (it follows CR0.PG, pc_cr.c). LME may not change while paging is on. */
static enum exit_action efer_write(struct notify *n, struct vm *vm, uint64_t v)
{
	uint64_t old, cr0;
	if (!notify_read(n, vm, VMCS_guest_efer, &old) || !notify_read(n, vm, VMCS_cr0_read_shadow, &cr0))
		return exits_stop(vm, "cannot read guest EFER");
	if ((v & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) || ((cr0 & CR0_PG) && ((v ^ old) & EFER_LME)))
		return msr_gp(n, vm, "write", 0xc0000080);
	if (!notify_write(n, vm, VMCS_guest_efer, (v & ~EFER_LMA) | (old & EFER_LMA)))
		return exits_stop(vm, "cannot write guest EFER");
	return exits_advance_rip(n, vm);
}

enum exit_action pc_wrmsr(struct notify *n, struct vm *vm)
{
	uint32_t index = (uint32_t)vm->regs.rcx;
	uint64_t v = (vm->regs.rdx << 32) | (uint32_t)vm->regs.rax;
	const struct msr_row *r = msr_find(index);
	vm->pc.n.msr_writes++;
	if (!r || r->home == MSR_TSC)
		return msr_gp(n, vm, "write", index);
	switch (r->home) {
	case MSR_VMCS:
		if ((r->field == VMCS_guest_fs_base || r->field == VMCS_guest_gs_base) && !canonical(v))
			return msr_gp(n, vm, "write", index);
		if (!notify_write(n, vm, r->field, v))
			return exits_stop(vm, "cannot write an MSR's field");
		break;
	case MSR_EFER:
		return efer_write(n, vm, v);
	case MSR_PAT:
		if (!pat_valid(v))
			return msr_gp(n, vm, "write", index);
		if (!notify_write(n, vm, VMCS_guest_pat, v))
			return exits_stop(vm, "cannot write guest PAT");
		break;
	case MSR_SWITCHED:
		if (r->slot != SLOT_star && r->slot != SLOT_sfmask && !canonical(v))
			return msr_gp(n, vm, "write", index);
		*slot(vm, r->slot) = v;
		vm->pc.msr.gen++;               /* the processors it ran on before hold old ones */
		vmx_guest_msr_load(index, v);   /* it runs here now */
		break;
	case MSR_DEF_TYPE:
		vm->pc.msr.mtrr_def_type = v;
		break;
	default:
		break;
	}
	return exits_advance_rip(n, vm);
}

/* Clear the bit of msr in one of the bitmap's four 1 KiB quarters: reads
 * of 0..0x1fff, reads of 0xc0000000..0xc0001fff, then writes of each. */
static void pass(uint8_t *bm, uint32_t msr, bool write)
{
	unsigned base = (msr >= 0xc0000000u ? 1024 : 0) + (write ? 2048 : 0), bit = msr & 0x1fff;
	bm[base + bit / 8] &= (uint8_t)~(1u << (bit % 8));
}

void pc_msr_bitmap(uint64_t pa)
{
	uint8_t *bm = (uint8_t *)pa;
	for (unsigned i = 0; i < 4096; i++)
		bm[i] = 0xff;
	for (unsigned k = 0; k < SLOTS; k++)
		pass(bm, switched_index[k], false);
	pass(bm, 0xc0000100, false);
	pass(bm, 0xc0000100, true);
	pass(bm, 0xc0000101, false);
	pass(bm, 0xc0000101, true);
}

/* Whose switched MSRs each processor holds, and as of which of its
 * writes (a VM's start at 0 too: the previous VM's must not show
 * through; a VM that wrote them on another processor since it last ran
 * here has newer ones). */
static struct { const struct vm *vm; uint32_t gen; } loaded_on[SMP_MAX_CPUS];

void pc_msrs_enter(struct vm *vm, unsigned cpu)
{
	if (cpu >= SMP_MAX_CPUS || (loaded_on[cpu].vm == vm && loaded_on[cpu].gen == vm->pc.msr.gen))
		return;
	for (unsigned k = 0; k < SLOTS; k++)
		vmx_guest_msr_load(switched_index[k], *slot(vm, k));
	loaded_on[cpu].vm = vm;
	loaded_on[cpu].gen = vm->pc.msr.gen;
}
