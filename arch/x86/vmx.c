/* VMX capability probing and instruction wrappers. Every wrapper looks at
 * RFLAGS after the instruction: CF=1 is VMfailInvalid, ZF=1 is VMfailValid
 * and the error number is read from the VM-instruction error field. */
#include "arch/x86/vmx.h"
#include "arch/x86/percpu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/vmcs_fields.h"
#include "arch/x86/vmx_controls.h"


extern int vmx_enter_raw(struct guest_regs *regs, int launch, bool (*again)(void *), void *ctx, uint64_t exit_top);
extern char vmx_exit_stub[];
extern char vmx_exit_stack_top[];

void vmx_enable_feature_control(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (!(fc & FC_LOCK))
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FC_LOCK | FC_VMX_OUTSIDE_SMX);
}

static struct vmx_ctl_cap ctl_cap(uint32_t msr)
{
	uint64_t v = rdmsr(msr);
	return (struct vmx_ctl_cap){ (uint32_t)v, (uint32_t)(v >> 32) };
}

/* CPUID's answer to "is there VMX at all": the vendor and CPUID.1:ECX.VMX. */
static void caps_vendor(struct vmx_caps *c)
{
	struct cpuid_regs r;
	cpuid(0, 0, &r);
	*(uint32_t *)&c->vendor[0] = r.ebx;
	*(uint32_t *)&c->vendor[4] = r.edx;
	*(uint32_t *)&c->vendor[8] = r.ecx;
	c->vendor[12] = 0;
	cpuid(1, 0, &r);
	c->vmx = (r.ecx >> 5) & 1;
}

/* CPUID's part of what VMX may use: the address widths, RTM, CET and the
 * PMU's IA32_PERF_GLOBAL_CTRL bits. */
static void caps_cpuid(struct vmx_caps *c)
{
	struct cpuid_regs r;
	cpuid(0, 0, &r);
	uint32_t max_leaf = r.eax;
	cpuid(0x80000000, 0, &r);
	if (r.eax >= 0x80000008) {
		cpuid(0x80000008, 0, &r);
		c->maxphyaddr = r.eax & 0xff;
		c->linaddr_bits = (r.eax >> 8) & 0xff;
	} else {
		c->maxphyaddr = 36;
	}
	if (max_leaf >= 0xa) {
		cpuid(0xa, 0, &r);
		unsigned version = r.eax & 0xff, gp = (r.eax >> 8) & 0xff, fixed = r.edx & 0x1f;
		uint64_t fixed_mask = ((1ull << fixed) - 1) | (version >= 5 ? r.ecx : 0);
		if (version >= 2)
			c->perf_global_valid = (gp >= 32 ? 0xffffffffull : (1ull << gp) - 1) |
					       ((fixed_mask & 0xffffffff) << 32);
	}
	if (max_leaf >= 7) {
		cpuid(7, 0, &r);
		c->rtm = (r.ebx >> 11) & 1;
		c->cet = ((r.ecx >> 7) & 1) | ((r.edx >> 20) & 1);
	}
}

/* The VMX MSRs. The TRUE_* ones when IA32_VMX_BASIC bit 55 says they
 * exist (SDM Vol. 3D A.2): they report the default1 bits that may be 0. */
static void caps_msrs(struct vmx_caps *c)
{
	c->basic = rdmsr(MSR_IA32_VMX_BASIC);
	int t = (c->basic & BASIC_TRUE_CTLS) != 0;
	c->pin = ctl_cap(t ? MSR_IA32_VMX_TRUE_PIN : MSR_IA32_VMX_PINBASED);
	c->proc = ctl_cap(t ? MSR_IA32_VMX_TRUE_PROC : MSR_IA32_VMX_PROCBASED);
	c->exit = ctl_cap(t ? MSR_IA32_VMX_TRUE_EXIT : MSR_IA32_VMX_EXIT);
	c->entry = ctl_cap(t ? MSR_IA32_VMX_TRUE_ENTRY : MSR_IA32_VMX_ENTRY);
	c->proc2 = (c->proc.may_be_1 & PROC_SECONDARY) ? ctl_cap(MSR_IA32_VMX_PROCBASED2)
						     : (struct vmx_ctl_cap){ 0, 0 };
	c->misc = rdmsr(MSR_IA32_VMX_MISC);
	c->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	c->ept_vpid_cap = (c->proc2.may_be_1 & (PROC2_EPT | PROC2_VPID)) ? rdmsr(MSR_IA32_VMX_EPT_VPID) : 0;
	c->vmfunc = (c->proc2.may_be_1 & PROC2_VMFUNC) ? rdmsr(MSR_IA32_VMX_VMFUNC) : 0;
}

/* The VMX MSRs and the rest of CPUID only when VMX is there and
 * IA32_FEATURE_CONTROL allows it: otherwise the hypervisor stops, and its
 * cpu line shows them as 0. */
void vmx_caps_read(struct vmx_caps *c)
{
	caps_vendor(c);
	if (!c->vmx)
		return;
	c->feature_control = rdmsr(MSR_IA32_FEATURE_CONTROL);
	c->feature_locked_off = (c->feature_control & FC_LOCK) && !(c->feature_control & FC_VMX_OUTSIDE_SMX);
	if (c->feature_locked_off)
		return;
	caps_msrs(c);
	caps_cpuid(c);
}

/* Decode RFLAGS after a VMX instruction (SDM Vol. 3C 31.2). */
static struct vmx_result vmx_result_from(uint8_t cf, uint8_t zf)
{
	struct vmx_result r = { VMX_OK, 0 };
	if (cf) {
		r.status = VMX_FAIL_INVALID;
	} else if (zf) {
		uint64_t e = 0;
		r.status = VMX_FAIL_VALID;
		__asm__ volatile("vmread %1, %0" : "=rm"(e) : "r"((uint64_t)vmcs_field_encoding(VMCS_vm_instr_error)) : "cc");
		r.error = (uint32_t)e;
	}
	return r;
}

#define VMX_INSN_MEM(insn, operand)                                               \
	({                                                                        \
		uint8_t cf, zf;                                                   \
		__asm__ volatile(insn " %2; setc %0; setz %1"                     \
				 : "=qm"(cf), "=qm"(zf)                           \
				 : "m"(operand)                                   \
				 : "cc", "memory");                               \
		vmx_result_from(cf, zf);                                          \
	})

struct vmx_result vmx_on(uint64_t region_pa, const struct vmx_caps *c)
{
	*(uint32_t *)region_pa = vmx_revision_id(c);
	uint64_t cr0 = (read_cr0() | c->cr0_fixed0) & c->cr0_fixed1;
	uint64_t cr4 = (read_cr4() | c->cr4_fixed0 | CR4_VMXE) & c->cr4_fixed1;
	write_cr0(cr0);
	write_cr4(cr4);
	return VMX_INSN_MEM("vmxon", region_pa);
}

struct vmx_result vmx_off(void)
{
	uint8_t cf, zf;
	__asm__ volatile("vmxoff; setc %0; setz %1" : "=qm"(cf), "=qm"(zf)::"cc", "memory");
	struct vmx_result r = vmx_result_from(cf, zf);
	if (r.status == VMX_OK)
		write_cr4(read_cr4() & ~CR4_VMXE);
	return r;
}

struct vmx_result vmx_clear(uint64_t vmcs_pa)
{
	return VMX_INSN_MEM("vmclear", vmcs_pa);
}

struct vmx_result vmx_ptrld(uint64_t vmcs_pa)
{
	return VMX_INSN_MEM("vmptrld", vmcs_pa);
}

/* The checking forms: the flags after the instruction decoded. */
static __attribute__((cold, noinline)) struct vmx_result read_checked(uint32_t encoding, uint64_t *value)
{
	uint8_t cf, zf;
	uint64_t v = 0;      /* a failed VMREAD leaves it alone: 0, never the encoding */
	__asm__ volatile("vmread %3, %0; setc %1; setz %2"
			 : "+r"(v), "=qm"(cf), "=qm"(zf)
			 : "r"((uint64_t)encoding)
			 : "cc");
	*value = v;
	return vmx_result_from(cf, zf);
}

static __attribute__((cold, noinline)) struct vmx_result write_checked(uint32_t encoding, uint64_t value)
{
	uint8_t cf, zf;
	__asm__ volatile("vmwrite %2, %3; setc %0; setz %1"
			 : "=qm"(cf), "=qm"(zf)
			 : "rm"(value), "r"((uint64_t)encoding)
			 : "cc", "memory");
	return vmx_result_from(cf, zf);
}

/* VMREAD and VMWRITE are the hot path's: success costs the instruction
 * and one flag test. A failure is issued again through the checking form,
 * which classifies it; that is harmless, as a failed VMREAD or VMWRITE
 * changes nothing (SDM Vol. 3C 31.2, 31.4). */
struct vmx_result vmx_read(uint32_t encoding, uint64_t *value)
{
	uint64_t v;
	_Bool bad;
	__asm__ volatile("vmread %2, %0" : "=r"(v), "=@ccbe"(bad) : "r"((uint64_t)encoding) : "cc");
	if (__builtin_expect(bad, 0)) {
		/* through a local of its own, so that the caller's variable need
		 * not live in memory for the common case */
		uint64_t t;
		struct vmx_result r = read_checked(encoding, &t);
		*value = t;
		return r;
	}
	*value = v;
	return (struct vmx_result){ VMX_OK, 0 };
}

/* No "memory" clobber: a VMWRITE from a register touches no memory C can
 * see (the VMCS region is the CPU's while current), so the compiler may
 * keep values in registers across it. */
struct vmx_result vmx_write(uint32_t encoding, uint64_t value)
{
	_Bool bad;
	__asm__ volatile("vmwrite %1, %2" : "=@ccbe"(bad) : "r"(value), "r"((uint64_t)encoding) : "cc");
	if (__builtin_expect(bad, 0))
		return write_checked(encoding, value);
	return (struct vmx_result){ VMX_OK, 0 };
}

bool vmx_read_try(uint32_t encoding, uint64_t *value)
{
	uint64_t v;
	_Bool bad;
	__asm__ volatile("vmread %2, %0" : "=r"(v), "=@ccbe"(bad) : "r"((uint64_t)encoding) : "cc");
	*value = v;
	return !bad;
}

struct vmx_result vmx_read_why(uint32_t encoding, uint64_t *value)
{
	return read_checked(encoding, value);
}

bool vmx_write_try(uint32_t encoding, uint64_t value)
{
	_Bool bad;
	__asm__ volatile("vmwrite %1, %2" : "=@ccbe"(bad) : "r"(value), "r"((uint64_t)encoding) : "cc");
	return !bad;
}

struct vmx_result vmx_write_why(uint32_t encoding, uint64_t value)
{
	return write_checked(encoding, value);
}

void vmx_guest_msr_load(uint32_t msr, uint64_t value)
{
	wrmsr(msr, value);
}

uint64_t vmx_now(void)
{
	return rdtsc();
}

struct vmx_result vmx_invept_global(void)
{
	struct { uint64_t eptp, zero; } desc = { 0, 0 };
	uint8_t cf, zf;
	__asm__ volatile("invept %2, %3; setc %0; setz %1"
			 : "=qm"(cf), "=qm"(zf)
			 : "m"(desc), "r"((uint64_t)2)
			 : "cc", "memory");
	return vmx_result_from(cf, zf);
}

static struct vmx_result enter_result(int rc)
{
	if (rc == 0)
		return (struct vmx_result){ VMX_OK, 0 };
	if (rc == 2)
		return (struct vmx_result){ VMX_FAIL_INVALID, 0 };
	uint64_t e = 0;
	if (read_checked(vmcs_field_encoding(VMCS_vm_instr_error), &e).status != VMX_OK)
		e = 0;
	return (struct vmx_result){ VMX_FAIL_VALID, (uint32_t)e };
}

struct vmx_result vmx_enter(struct guest_regs *regs, bool launch, bool (*again)(void *), void *ctx)
{
	return enter_result(vmx_enter_raw(regs, launch, again, ctx, vmx_exit_rsp()));
}

struct vmx_result vmx_enter_after_movss(struct guest_regs *regs, bool launch)
{
	return enter_result(vmx_enter_raw(regs, launch ? 3 : 2, 0, 0, vmx_exit_rsp()));
}

uint64_t vmx_exit_rip(void)
{
	return (uint64_t)vmx_exit_stub;
}

/* The boot CPU's exit stack is the image's; every other CPU's is in its
 * struct percpu (vmm/cpus.c allocates it). */
uint64_t vmx_exit_rsp(void)
{
	uint64_t top = percpu_this()->exit_stack_top;
	return top ? top : (uint64_t)vmx_exit_stack_top;
}
