/* Exit handlers. Each reads what it needs through the shadow
 * (notify_read), changes guest state through notify_write, and returns
 * what the scheduler should do next. */
#include "exits.h"
#include "hypercall.h"
#include "trace.h"
#include "fmt.h"
#include "arch/x86/cpu.h"
#include <string.h>

#define COM1 0x3f8
#define COM1_LSR 0x3fd
#define INTR_INFO_VALID (1u << 31)
#define INTR_TYPE_HW_EXCEPTION (3u << 8)
#define VECTOR_UD 6

typedef enum exit_action (*exit_handler)(struct notify *n, struct vm *vm);

static enum exit_action stop(struct vm *vm, const char *why)
{
	fmt(vm->why, sizeof(vm->why), "%s", why);
	return ACT_STOP;
}

static enum exit_action advance_rip(struct notify *n, struct vm *vm)
{
	uint64_t rip, len;
	if (!notify_read(n, vm, VMCS_guest_rip, &rip) || !notify_read(n, vm, VMCS_exit_instr_len, &len))
		return stop(vm, "cannot read guest RIP");
	if (!notify_write(n, vm, VMCS_guest_rip, rip + len))
		return stop(vm, "cannot write guest RIP");
	return ACT_CONTINUE;
}

static bool guest_range_ok(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	return gpa < vm->mem_size && len <= vm->mem_size - gpa;
}

void exits_flush_output(struct vm *vm)
{
	if (!vm->out_len)
		return;
	char q[sizeof(vm->out) * 4 + 3];
	trace_quote(q, sizeof(q), vm->out, vm->out_len);
	trace_vm(vm->id, "out text=%s", q);
	vm->out_len = 0;
}

static void out_putc(struct vm *vm, char ch)
{
	if (ch == '\n') {
		exits_flush_output(vm);
		return;
	}
	vm->out[vm->out_len++] = ch;
	if (vm->out_len == sizeof(vm->out))
		exits_flush_output(vm);
}

static enum exit_action on_cpuid(struct notify *n, struct vm *vm)
{
	struct cpuid_regs r;
	cpuid((uint32_t)vm->regs.rax, (uint32_t)vm->regs.rcx, &r);
	if ((uint32_t)vm->regs.rax == 1) {
		r.ecx &= ~(1u << 5);     /* no VMX inside the guest */
		r.ecx |= 1u << 31;       /* a hypervisor is present */
	}
	vm->regs.rax = r.eax;
	vm->regs.rbx = r.ebx;
	vm->regs.rcx = r.ecx;
	vm->regs.rdx = r.edx;
	return advance_rip(n, vm);
}

static enum exit_action on_hlt(struct notify *n, struct vm *vm)
{
	(void)n;
	fmt(vm->why, sizeof(vm->why), "hlt");
	return ACT_DONE;
}

/* Exit qualification for I/O instructions: SDM Vol. 3C Table 28-5. */
static enum exit_action on_io(struct notify *n, struct vm *vm)
{
	uint64_t q;
	if (!notify_read(n, vm, VMCS_exit_qualification, &q))
		return stop(vm, "cannot read exit qualification");
	unsigned size = (unsigned)(q & 7) + 1, port = (unsigned)(q >> 16);
	bool in = (q >> 3) & 1, string = (q >> 4) & 1;
	if (string)
		return stop(vm, "string I/O instructions are not emulated");
	if (!in && port == COM1) {
		out_putc(vm, (char)vm->regs.rax);
	} else if (in) {
		uint64_t v = port == COM1_LSR ? 0x60 : 0xffffffffu;   /* THR empty, idle */
		uint64_t mask = size == 4 ? 0xffffffffu : (1ull << (size * 8)) - 1;
		vm->regs.rax = (vm->regs.rax & ~mask) | (v & mask);
	}
	return advance_rip(n, vm);
}

static uint64_t hc_puts(struct vm *vm)
{
	uint64_t gpa = (uint32_t)vm->regs.rbx, len = (uint32_t)vm->regs.rcx;
	if (len > HC_PUTS_MAX)
		return HC_EINVAL;
	if (!guest_range_ok(vm, gpa, len))
		return HC_EFAULT;
	const char *s = (const char *)(vm->mem_pa + gpa);
	for (uint64_t i = 0; i < len; i++)
		out_putc(vm, s[i]);
	exits_flush_output(vm);
	return HC_OK;
}

static enum exit_action on_vmcall(struct notify *n, struct vm *vm)
{
	/* Our guests run in 16/32-bit modes: only the low halves are theirs. */
	uint64_t nr = (uint32_t)vm->regs.rax, ret = HC_OK;
	enum exit_action act = ACT_CONTINUE;
	const char *name = "unknown";
	switch (nr) {
	case HC_EXIT:
		name = "exit";
		fmt(vm->why, sizeof(vm->why), "exit code=%u", (uint32_t)vm->regs.rbx);
		act = (uint32_t)vm->regs.rbx ? ACT_STOP : ACT_DONE;
		break;
	case HC_YIELD:
		name = "yield";
		act = ACT_YIELD;
		break;
	case HC_PUTS:
		name = "puts";
		ret = hc_puts(vm);
		break;
	case HC_VMID:
		name = "vmid";
		ret = vm->id;
		break;
	default:
		ret = HC_ENOSYS;
	}
	trace_vm(vm->id, "hypercall nr=%llu name=%s ret=0x%llx", (unsigned long long)nr, name,
		 (unsigned long long)ret);
	vm->regs.rax = ret;
	enum exit_action a = advance_rip(n, vm);
	return a == ACT_CONTINUE ? act : a;
}

static enum exit_action on_preemption_timer(struct notify *n, struct vm *vm)
{
	(void)n;
	(void)vm;
	return ACT_YIELD;
}

/* VMX instructions in the guest always exit (SDM 26.1.2); the guest gets
 * #UD as if VMX did not exist, and the instruction never runs. */
static enum exit_action on_vmx_insn(struct notify *n, struct vm *vm)
{
	trace_vm(vm->id, "inject vector=%u why=vmx_instruction", VECTOR_UD);
	if (!notify_write(n, vm, VMCS_entry_intr_info, INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | VECTOR_UD))
		return stop(vm, "cannot inject #UD");
	return ACT_CONTINUE;
}

static enum exit_action on_ept_violation(struct notify *n, struct vm *vm)
{
	uint64_t gpa = 0, q = 0;
	(void)notify_read(n, vm, VMCS_guest_phys_addr, &gpa);
	(void)notify_read(n, vm, VMCS_exit_qualification, &q);
	fmt(vm->why, sizeof(vm->why), "ept_violation gpa=0x%llx access=%s%s%s", (unsigned long long)gpa,
	    (q & 1) ? "r" : "", (q & 2) ? "w" : "", (q & 4) ? "x" : "");
	return ACT_STOP;
}

/* The host masks the legacy PIC, so this is rare; the interrupt stays with
 * the host and the guest goes on. */
static enum exit_action on_external_interrupt(struct notify *n, struct vm *vm)
{
	(void)n;
	(void)vm;
	return ACT_YIELD;
}

static enum exit_action on_triple_fault(struct notify *n, struct vm *vm)
{
	(void)n;
	return stop(vm, "triple_fault");
}

static const exit_handler handlers[EXIT_REASON_LIMIT] = {
	[EXIT_cpuid] = on_cpuid,
	[EXIT_hlt] = on_hlt,
	[EXIT_io] = on_io,
	[EXIT_vmcall] = on_vmcall,
	[EXIT_preemption_timer] = on_preemption_timer,
	[EXIT_ept_violation] = on_ept_violation,
	[EXIT_triple_fault] = on_triple_fault,
	[EXIT_external_interrupt] = on_external_interrupt,
	[EXIT_vmclear] = on_vmx_insn,
	[EXIT_vmlaunch] = on_vmx_insn,
	[EXIT_vmptrld] = on_vmx_insn,
	[EXIT_vmptrst] = on_vmx_insn,
	[EXIT_vmread] = on_vmx_insn,
	[EXIT_vmresume] = on_vmx_insn,
	[EXIT_vmwrite] = on_vmx_insn,
	[EXIT_vmxoff] = on_vmx_insn,
	[EXIT_vmxon] = on_vmx_insn,
	[EXIT_invept] = on_vmx_insn,
	[EXIT_invvpid] = on_vmx_insn,
};

enum exit_action exits_handle(struct notify *n, struct vm *vm, uint32_t reason)
{
	reason &= 0xffff;
	if (reason < EXIT_REASON_LIMIT && handlers[reason])
		return handlers[reason](n, vm);
	fmt(vm->why, sizeof(vm->why), "unhandled exit reason=%s (%u)", exit_reason_name(reason), reason);
	return ACT_STOP;
}
