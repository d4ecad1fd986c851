/* Interrupts into a PC VM: after every exit it goes on from, an event the
 * exit interrupted is delivered again, or the PIC's pending interrupt is
 * injected when the guest can take it (RFLAGS.IF = 1, no blocking by STI
 * or MOV SS: SDM Vol. 3C 27.3.1.5), or interrupt-window exiting is turned
 * on so that the processor exits as soon as it can (SDM Vol. 3C 26.2).
 * HLT with IF = 1 sleeps until the VM's next timer interrupt; the
 * scheduler runs the others meanwhile (pc_asleep), and the interrupt
 * window, opened as it falls asleep, brings it back at its first
 * instruction to take that interrupt. HLT with IF = 0 ends the VM:
 * nothing could wake it. */
#include "vmm/pc/pc.h"
#include "vmm/fmt.h"
#include "arch/x86/vmx.h"

/* The VMX-preemption timer counts down by one every 2^X TSC ticks, X from
 * IA32_VMX_MISC bits 4:0 (SDM Vol. 3C 26.5.1). */
#define MISC_TIMER_RATE(misc) ((unsigned)(misc) & 0x1f)
#define RFLAGS_IF (1ull << 9)
#define BLOCK_STI_MOVSS 3ull            /* interruptibility bits 0 and 1 */
#define INTR_ERROR_VALID (1u << 11)
#define EVENT_TYPE(i) (((i) >> 8) & 7)
#define TYPE_SW_INT 4                   /* 4-6: software interrupt, privileged, exception */

static bool window(struct notify *n, struct vm *vm, bool on)
{
	uint64_t ctl;
	if (vm->pc.window == on)
		return true;
	if (!notify_read(n, vm, VMCS_proc_controls, &ctl))
		return false;
	ctl = on ? ctl | PROC_INTR_WINDOW : ctl & ~(uint64_t)PROC_INTR_WINDOW;
	if (!notify_write(n, vm, VMCS_proc_controls, ctl))
		return false;
	vm->pc.window = on;
	vm->pc.n.windows += on;
	return true;
}

/* An event whose delivery the exit interrupted (SDM Vol. 3C 28.2.4) goes
 * in again at the next entry, for a software one with its instruction
 * length. Only the exits a PC VM goes on from can get here, and none of
 * them comes from an exception's delivery (its exception bitmap is 0): an
 * event with an error code would be a fault nobody traps, so it stops
 * the VM (the IDT-vectoring error code field is not in the VMCS table). */
static bool redeliver(struct notify *n, struct vm *vm, uint64_t idt)
{
	uint64_t len = 0;
	if (idt & INTR_ERROR_VALID)
		return false;
	if (EVENT_TYPE(idt) >= TYPE_SW_INT && (!notify_read(n, vm, VMCS_exit_instr_len, &len) ||
					     !notify_write(n, vm, VMCS_entry_instr_len, len)))
		return false;
	return notify_write(n, vm, VMCS_entry_intr_info, idt & ~(1ull << 12));
}

/* A timer the guest armed during its slice: the slice ends when it is
 * due, not later (its preemption timer, counting down since the slice
 * began, is brought forward). */
/* Preemption-timer steps until the VM's next timer interrupt is due (0:
 * due now), or UINT64_MAX when none is armed. */
static uint64_t steps_to_timer(const struct vm *vm, uint64_t misc)
{
	uint64_t next = devices_next_timer(&vm->pc.dev), now = vmx_now();
	if (next == UINT64_MAX)
		return UINT64_MAX;
	return next > now ? (next - now) >> MISC_TIMER_RATE(misc) : 0;
}

static bool timer_due_ends_slice(struct notify *n, struct vm *vm)
{
	uint64_t want = steps_to_timer(vm, n->caps->misc), left;
	if (want == UINT64_MAX || !vmx_has_ptimer(n->caps))
		return true;
	if (!notify_read(n, vm, VMCS_preemption_timer, &left))
		return false;
	return want >= left || notify_write(n, vm, VMCS_preemption_timer, want);
}

static enum exit_action events(struct notify *n, struct vm *vm);

enum exit_action pc_events(struct notify *n, struct vm *vm)
{
	enum exit_action a = events(n, vm);
	if (a == ACT_CONTINUE && !timer_due_ends_slice(n, vm))
		return exits_stop(vm, "cannot bring the preemption timer forward");
	return a;
}

static enum exit_action events(struct notify *n, struct vm *vm)
{
	uint64_t entry = 0, idt = 0, rflags = 0, block = 0;
	if (!notify_read(n, vm, VMCS_entry_intr_info, &entry) || !notify_read(n, vm, VMCS_idt_vectoring_info, &idt))
		return exits_stop(vm, "cannot read the event fields");
	if (!(entry & PC_INTR_VALID) && (idt & PC_INTR_VALID)) {
		if (!redeliver(n, vm, idt))
			return exits_stop(vm, "cannot deliver an interrupted event again");
		entry = idt;
	}
	/* Asleep in HLT: the window opens as soon as it runs again (IF is 1),
	 * so the interrupt that wakes it goes in at once. */
	if (vm->pc.wake_tsc)
		return window(n, vm, true) ? ACT_CONTINUE : exits_stop(vm, "cannot write the window control");
	int vector = devices_pending_vector(&vm->pc.dev);
	if (vector < 0)
		return window(n, vm, false) ? ACT_CONTINUE : exits_stop(vm, "cannot write the window control");
	bool can = !(entry & PC_INTR_VALID);
	if (can && (!notify_read(n, vm, VMCS_guest_rflags, &rflags) ||
		    !notify_read(n, vm, VMCS_guest_interruptibility, &block)))
		return exits_stop(vm, "cannot read RFLAGS or the interruptibility state");
	can = can && (rflags & RFLAGS_IF) && !(block & BLOCK_STI_MOVSS);
	if (!can)
		return window(n, vm, true) ? ACT_CONTINUE : exits_stop(vm, "cannot write the window control");
	uint8_t v = devices_ack(&vm->pc.dev);
	if (!notify_write(n, vm, VMCS_entry_intr_info, PC_INTR_VALID | (PC_INTR_TYPE_EXT << 8) | v))
		return exits_stop(vm, "cannot inject an interrupt");
	vm->pc.n.irqs++;
	return window(n, vm, false) ? ACT_CONTINUE : exits_stop(vm, "cannot write the window control");
}

enum exit_action pc_interrupt_window(struct notify *n, struct vm *vm)
{
	(void)n;
	(void)vm;
	return ACT_CONTINUE;            /* pc_events injects now */
}

enum exit_action pc_hlt(struct notify *n, struct vm *vm)
{
	uint64_t rflags = 0, block = 0;
	if (!notify_read(n, vm, VMCS_guest_rflags, &rflags))
		return exits_stop(vm, "cannot read guest RFLAGS");
	if (!(rflags & RFLAGS_IF)) {
		fmt(vm->why, sizeof(vm->why), "hlt");
		return ACT_DONE;
	}
	enum exit_action a = exits_advance_rip(n, vm);
	if (a != ACT_CONTINUE)
		return a;
	/* STI; HLT: the blocking by STI covered HLT, which is now past. */
	if (notify_read(n, vm, VMCS_guest_interruptibility, &block) && (block & BLOCK_STI_MOVSS) &&
	    !notify_write(n, vm, VMCS_guest_interruptibility, block & ~BLOCK_STI_MOVSS))
		return exits_stop(vm, "cannot write the interruptibility state");
	vm->pc.n.halts++;
	if (devices_pending_vector(&vm->pc.dev) >= 0)
		return ACT_CONTINUE;
	uint64_t wake = devices_next_timer(&vm->pc.dev);
	if (wake == UINT64_MAX)
		return exits_stop(vm, "hlt with interrupts enabled and no timer armed: nothing can wake it");
	vm->pc.wake_tsc = wake;
	return ACT_YIELD;
}

/* A slice of a PC VM alone lasts until its next timer interrupt is due,
 * sooner or later than a quantum, but at most this many quanta: a guest
 * that never exits still yields now and then (another processor may give
 * this one a VM). */
#define PC_SLICE_QUANTA 1000ull

uint32_t pc_slice_timer(const struct vm *vm, uint32_t quantum, uint64_t misc)
{
	uint64_t most = (uint64_t)quantum * PC_SLICE_QUANTA, ticks = steps_to_timer(vm, misc);
	if (ticks > most)
		ticks = most;
	if (ticks > 0xffffffffu)
		ticks = 0xffffffffu;
	return ticks ? (uint32_t)ticks : 1;     /* due now: exit at once */
}
