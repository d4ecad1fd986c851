/* The PC platform: what a VM that boots a real kernel (the linux guest)
 * sees around its CPU, and the exits that serve it. A tiny guest has
 * none of it (vm->pc_on is false): its exits keep their own, simpler
 * handling in vmm/exits.c.
 *
 *   pc.c         making a PC VM: the kernel's layout, the MSR bitmap, the
 *                devices and their console
 *   pc_io.c      IN and OUT, to the devices (vmm/devices/)
 *   pc_msr.c     RDMSR and WRMSR: VMCS fields, switched MSRs, fixed
 *                values, #GP for the rest
 *   pc_cpuid.c   what CPUID shows such a guest
 *   pc_cr.c      MOV to CR0 and CR4 that the masks trap, XSETBV
 *   pc_irq.c     interrupt injection, the interrupt window, HLT */
#ifndef VMM_PC_PC_H
#define VMM_PC_PC_H
#include "vmm/exits.h"
#include "vmm/vm.h"
#include "arch/x86/cpu.h"

/* The VM-execution, VM-exit and VM-entry controls a PC VM sets beside a
 * tiny guest's (vmm/vmcs_setup.c), which pc_build requires of the CPU:
 * MSR bitmaps; EFER and PAT the guest's own, switched by the processor at
 * entry and exit. Interrupt-window exiting is set and cleared as needed
 * (pc_irq.c), so the CPU must allow it too. */
#define PC_PROC_CONTROLS PROC_MSR_BITMAPS
#define PC_EXIT_CONTROLS (EXIT_SAVE_EFER | EXIT_LOAD_EFER | EXIT_SAVE_PAT | EXIT_LOAD_PAT)
#define PC_ENTRY_CONTROLS (ENTRY_LOAD_EFER | ENTRY_LOAD_PAT)

/* Interruption-information fields (SDM Vol. 3C 25.8.3). */
#define PC_INTR_VALID (1u << 31)
#define PC_INTR_TYPE_EXT 0
#define PC_INTR_TYPE_HW_EXC 3
#define PC_VECTOR_UD 6
#define PC_VECTOR_GP 13

/* pc.c */
const char *pc_build(struct vm *vm, const struct vm_env *e);
/* COM1's lines of the VM ctx: its ev=out lines; a kernel panic noted
 * (the exit that wrote it stops the VM). */
void pc_console_line(void *ctx, const char *text, unsigned len);
/* Its kernel line: how the boot protocol laid it out (after ev=create). */
void pc_report_kernel(const struct vm *vm);
/* Inject a hardware exception with error code 0 (#GP(0)) or none (#UD). */
enum exit_action pc_inject_exception(struct notify *n, struct vm *vm, unsigned vector);
/* General-purpose register k (the exit qualification's numbering, RSP
 * from the VMCS). */
bool pc_gpr(struct notify *n, struct vm *vm, unsigned k, uint64_t *v);

/* pc_io.c: an I/O exit's qualification (SDM Vol. 3C Table 28-5). */
enum exit_action pc_io(struct notify *n, struct vm *vm, uint64_t qual);

/* pc_msr.c */
enum exit_action pc_rdmsr(struct notify *n, struct vm *vm);
enum exit_action pc_wrmsr(struct notify *n, struct vm *vm);
/* Its MSR bitmap's bits (SDM Vol. 3C 25.6.9) into the page at pa. */
void pc_msr_bitmap(uint64_t pa);
/* Before a slice on processor cpu: its switched MSRs there, if another
 * VM's (or none) are loaded. */
void pc_msrs_enter(struct vm *vm, unsigned cpu);

/* pc_cpuid.c: the host's answer r to leaf/subleaf, as this guest sees it. */
void pc_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r);

/* pc_cr.c */
enum exit_action pc_cr_access(struct notify *n, struct vm *vm);
enum exit_action pc_xsetbv(struct notify *n, struct vm *vm);

/* pc_irq.c */
/* After an exit the VM goes on from: an interrupted event again, or the
 * interrupt its PIC has now, or the interrupt window opened for it. */
enum exit_action pc_events(struct notify *n, struct vm *vm);
enum exit_action pc_hlt(struct notify *n, struct vm *vm);
enum exit_action pc_interrupt_window(struct notify *n, struct vm *vm);
/* The preemption timer of a slice a PC VM runs alone: until its next
 * timer interrupt is due (misc: IA32_VMX_MISC). Its timer interrupts
 * come at the exits, so ending its slices there, not every quantum, saves
 * most exits of a kernel that computes and delivers each tick on time. */
uint32_t pc_slice_timer(const struct vm *vm, uint32_t quantum, uint64_t misc);
/* Halted with interrupts on, and its next timer not yet due at now? */
static inline bool pc_asleep(const struct vm *vm, uint64_t now)
{
	return vm->pc_on && vm->pc.wake_tsc > now;
}

#endif
