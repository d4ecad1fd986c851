/* VM-exit dispatch: one small handler per exit reason. */
#ifndef VMM_EXITS_H
#define VMM_EXITS_H
#include "vmm/notify.h"
#include "arch/x86/cpu.h"

void pc_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r);

enum exit_action {
	ACT_CONTINUE,   /* resume this VM */
	ACT_YIELD,      /* give the CPU to the next VM */
	ACT_DONE,       /* the guest finished (HLT, HC_EXIT) */
	ACT_STOP,       /* the guest misbehaved: stop it, vm->why says why */
};

enum exit_action exits_handle(struct notify *n, struct vm *vm, uint32_t reason);

/* Stop the VM with a reason (vm->why). */
enum exit_action exits_stop(struct vm *vm, const char *why);

/* Is the guest in 64-bit mode (the "IA-32e mode guest" control and CS.L,
 * read through the shadow)? A failed read counts as no. */
bool exits_long_mode(struct notify *n, struct vm *vm);

/* Past the instruction that caused the exit: RIP += the VM-exit
 * instruction length (never assumed: prefixes make CPUID 2..15 bytes).
 * Outside 64-bit mode the instruction pointer is EIP, 32 bits: after an
 * instruction that ends at 4 GiB comes EIP 0 (Linux KVM does the same in
 * skip_emulated_instruction), where RIP 2^32 would fail VM entry. The
 * mode is read only for that carry into bit 32. */
static inline __attribute__((always_inline)) enum exit_action exits_advance_rip(struct notify *n, struct vm *vm)
{
	uint64_t rip, len;
	if (!notify_read(n, vm, VMCS_guest_rip, &rip) || !notify_read(n, vm, VMCS_exit_instr_len, &len))
		return exits_stop(vm, "cannot read guest RIP");
	uint64_t next = rip + len;
	if (__builtin_expect((next >> 32) && !(rip >> 32), 0) && !exits_long_mode(n, vm))
		next = (uint32_t)next;
	if (!notify_write(n, vm, VMCS_guest_rip, next))
		return exits_stop(vm, "cannot write guest RIP");
	return ACT_CONTINUE;
}

/* CPUID's registers: the host's answer, without VMX and with the
 * hypervisor bit; a PC guest's filtered further (vmm/pc/pc_cpuid.c). */
static inline __attribute__((always_inline)) void exits_cpuid_regs(struct vm *vm)
{
	struct cpuid_regs r;
	cpuid((uint32_t)vm->regs.rax, (uint32_t)vm->regs.rcx, &r);
	if ((uint32_t)vm->regs.rax == 1) {
		r.ecx &= ~(1u << 5);     /* no VMX inside the guest */
		r.ecx |= 1u << 31;       /* a hypervisor is present */
	}
	if (__builtin_expect(vm->pc_on, 0))
		pc_cpuid((uint32_t)vm->regs.rax, (uint32_t)vm->regs.rcx, &r);
	vm->regs.rax = r.eax;
	vm->regs.rbx = r.ebx;
	vm->regs.rcx = r.ecx;
	vm->regs.rdx = r.edx;
}

/* CPUID handled: its registers, then past it. Inline here so the fast
 * path (vmm/fastpath/) and exits_handle share it. */
static inline __attribute__((always_inline)) enum exit_action exits_cpuid(struct notify *n, struct vm *vm)
{
	exits_cpuid_regs(vm);
	return exits_advance_rip(n, vm);
}

/* Print what is left in the guest's console buffer. */
void exits_flush_output(struct vm *vm);
/* At a VM's end: one out_dropped line if output was rate-limited. */
void exits_report_dropped(struct vm *vm);

#endif
