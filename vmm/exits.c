/* Exit handlers. Each reads what it needs through the shadow
 * (notify_read), changes guest state through notify_write, and returns
 * what the scheduler should do next. */
#include "vmm/exits.h"
#include "vmm/shadow/entry_checks.h"
#include "vmm/hypercall.h"
#include "vmm/trace.h"
#include "vmm/fmt.h"
#include "vmm/pc/pc.h"
#include "arch/x86/cpu.h"
#include <string.h>

#define COM1 0x3f8
#define COM1_LSR 0x3fd
/* Interruption-information fields (SDM Vol. 3C 25.8.3, 25.9.2, 25.9.3). */
#define INTR_INFO_VALID (1u << 31)
#define INTR_INFO_ERROR_CODE (1u << 11)
#define INTR_INFO_TYPE(i) (((i) >> 8) & 7)
#define INTR_INFO_VECTOR(i) ((i) & 0xff)
#define INTR_TYPE_NMI 2
#define INTR_TYPE_HW_EXCEPTION 3
#define VECTOR_DF 8
#define VECTOR_UD 6
#define VECTOR_PF 14

/* A guest whose own handler re-executes the faulting instruction loops
 * without end; more than this many exceptions of one vector in a run is a
 * storm and stops the VM. A guest that uses #UD or #GP on purpose (an
 * emulator, a probe) stays well below it. */
#define EXC_STORM_LIMIT 64
/* Console lines one VM may print per run: the serial line is shared by all
 * VMs and the trace, and a guest that floods it must not drown the others.
 * Later lines are counted, not printed (ev=out_dropped at the VM's end). */
#define OUT_MAX_LINES 100
/* A kernel's console (a PC guest) says more, all of it worth reading. */
#define OUT_MAX_LINES_PC 2000


typedef enum exit_action (*exit_handler)(struct notify *n, struct vm *vm);

enum exit_action exits_stop(struct vm *vm, const char *why)
{
	fmt(vm->why, sizeof(vm->why), "%s", why);
	return ACT_STOP;
}


static bool guest_range_ok(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	return gpa < vm->mem_size && len <= vm->mem_size - gpa;
}

void exits_flush_output(struct vm *vm)
{
	if (!vm->out_len)
		return;
	struct vm_misbehaviour *m = &vm->misb;
	if (m->out_lines >= (vm->pc_on ? OUT_MAX_LINES_PC : OUT_MAX_LINES)) {
		m->dropped_lines++;
		m->dropped_bytes += vm->out_len;
		vm->out_len = 0;
		return;
	}
	m->out_lines++;
	char q[sizeof(vm->out) * 4 + 3];
	trace_quote(q, sizeof(q), vm->out, vm->out_len);
	trace_vm(vm->id, TEV_VM_out, "text=%s", q);
	vm->out_len = 0;
}

void exits_report_dropped(struct vm *vm)
{
	const struct vm_misbehaviour *m = &vm->misb;
	if (m->dropped_lines)
		trace_vm(vm->id, TEV_VM_out_dropped, "lines=%llu bytes=%llu", (unsigned long long)m->dropped_lines,
			 (unsigned long long)m->dropped_bytes);
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
	return exits_cpuid(n, vm);
}

static enum exit_action on_hlt(struct notify *n, struct vm *vm)
{
	if (vm->pc_on)
		return pc_hlt(n, vm);
	fmt(vm->why, sizeof(vm->why), "hlt");
	return ACT_DONE;
}

/* Exit qualification for I/O instructions: SDM Vol. 3C Table 28-5. */
static enum exit_action on_io(struct notify *n, struct vm *vm)
{
	uint64_t q;
	if (!notify_read(n, vm, VMCS_exit_qualification, &q))
		return exits_stop(vm, "cannot read exit qualification");
	if (vm->pc_on)
		return pc_io(n, vm, q);
	unsigned size = (unsigned)(q & 7) + 1, port = (unsigned)(q >> 16);
	bool in = (q >> 3) & 1, string = (q >> 4) & 1;
	if (string)
		return exits_stop(vm, "string I/O instructions are not emulated");
	if (!in && port == COM1) {
		out_putc(vm, (char)vm->regs.rax);
	} else if (in) {
		uint64_t v = port == COM1_LSR ? 0x60 : 0xffffffffu;   /* THR empty, idle */
		uint64_t mask = size == 4 ? 0xffffffffu : (1ull << (size * 8)) - 1;
		vm->regs.rax = (vm->regs.rax & ~mask) | (v & mask);
	}
	return exits_advance_rip(n, vm);
}

bool exits_long_mode(struct notify *n, struct vm *vm)
{
	uint64_t ctl = 0, cs_ar = 0;
	return notify_read(n, vm, VMCS_entry_controls, &ctl) && (ctl & ENTRY_IA32E_GUEST) &&
	       notify_read(n, vm, VMCS_guest_cs_ar, &cs_ar) && (cs_ar & AR_L);
}

/* A hypercall's number (RAX) and arguments (RBX, RCX) as the guest's
 * mode makes them: outside 64-bit mode only the low halves are the
 * guest's. The mode (the "IA-32e mode guest" control and CS.L) is read
 * only when an upper half is set, since otherwise both readings agree. */
struct hc_args { uint64_t nr, b, c; };

static struct hc_args hc_args(struct notify *n, struct vm *vm)
{
	struct hc_args a = { vm->regs.rax, vm->regs.rbx, vm->regs.rcx };
	if (((a.nr | a.b | a.c) >> 32) != 0 && !exits_long_mode(n, vm))
		a.nr = (uint32_t)a.nr, a.b = (uint32_t)a.b, a.c = (uint32_t)a.c;
	return a;
}

static uint64_t hc_puts(struct vm *vm, const struct hc_args *a)
{
	uint64_t gpa = a->b, len = a->c;
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

/* Test only (testhc=on): lets a guest corrupt its own guest-state area, so
 * that system tests can watch the shadow refuse the next entry. Guest-state
 * fields only: a control or host field (EPT pointer, host RIP) would reach
 * outside the guest. */
static uint64_t hc_test_vmwrite(struct notify *n, struct vm *vm, const struct hc_args *a)
{
	enum vmcs_field f = a->b >> 32 ? VMCS_FIELD_NONE : vmcs_field_by_encoding((uint32_t)a->b);
	if (f == VMCS_FIELD_NONE || vmcs_field_table[f].kind != GUEST)
		return HC_EINVAL;
	return notify_write(n, vm, f, a->c) ? HC_OK : HC_EINVAL;
}

static enum exit_action on_vmcall(struct notify *n, struct vm *vm)
{
	const struct hc_args args = hc_args(n, vm);
	uint64_t nr = args.nr, ret = HC_OK;
	enum exit_action act = ACT_CONTINUE;
	const char *name = "unknown";
	switch (nr) {
	case HC_EXIT:
		name = "exit";
		fmt(vm->why, sizeof(vm->why), "exit code=%llu", (unsigned long long)args.b);
		act = args.b ? ACT_STOP : ACT_DONE;
		break;
	case HC_YIELD:
		name = "yield";
		act = ACT_YIELD;
		break;
	case HC_PUTS:
		name = "puts";
		ret = hc_puts(vm, &args);
		break;
	case HC_VMID:
		name = "vmid";
		ret = vm->id;
		break;
	case HC_TEST_VMWRITE:
		if (!vm->test_hypercalls) {      /* testhc=off: not part of the ABI */
			ret = HC_ENOSYS;
			break;
		}
		name = "test_vmwrite";
		ret = hc_test_vmwrite(n, vm, &args);
		break;
	default:
		ret = HC_ENOSYS;
	}
	trace_vm(vm->id, TEV_VM_hypercall, "nr=%llu name=%s ret=0x%llx", (unsigned long long)nr, name,
		 (unsigned long long)ret);
	vm->regs.rax = ret;
	enum exit_action a = exits_advance_rip(n, vm);
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
	trace_vm(vm->id, TEV_VM_inject, "vector=%u why=vmx_instruction", VECTOR_UD);
	if (!notify_write(n, vm, VMCS_entry_intr_info,
			  INTR_INFO_VALID | (INTR_TYPE_HW_EXCEPTION << 8) | VECTOR_UD))
		return exits_stop(vm, "cannot inject #UD");
	return ACT_CONTINUE;
}

static bool contributory(unsigned v)
{
	return v == 0 || (v >= 10 && v <= 13);
}

/* What the CPU would deliver when exception v hits while it delivers
 * exception first (SDM Vol. 3A 6.15, Table 6-5): #DF for two contributory
 * ones or a page fault followed by either; a shutdown (-1) when delivering
 * #DF itself faults; otherwise v. */
static int combine_exceptions(unsigned first, unsigned v)
{
	bool bad = contributory(v) || v == VECTOR_PF;
	if (first == VECTOR_DF && bad)
		return -1;
	if ((contributory(first) && contributory(v)) || (first == VECTOR_PF && bad))
		return VECTOR_DF;
	return (int)v;
}

/* An intercepted exception (exception bitmap: #UD, #GP). Counted per
 * vector, then handed back to the guest's own IDT as the hardware would
 * have delivered it, error code included, so a guest that handles its
 * faults still works; one that faults forever is stopped. */
static enum exit_action on_exception(struct notify *n, struct vm *vm)
{
	uint64_t info = 0, error = 0, idt = 0;
	if (!notify_read(n, vm, VMCS_exit_intr_info, &info) || !(info & INTR_INFO_VALID))
		return exits_stop(vm, "cannot read the exit interruption information");
	if (INTR_INFO_TYPE(info) == INTR_TYPE_NMI)
		return ACT_YIELD;                  /* the host's NMI, not the guest's */
	unsigned v = INTR_INFO_VECTOR(info);
	if (info & INTR_INFO_ERROR_CODE)
		(void)notify_read(n, vm, VMCS_exit_intr_error, &error);
	uint32_t *count = &vm->misb.exceptions[v & 31];
	if (++*count > EXC_STORM_LIMIT) {
		fmt(vm->why, sizeof(vm->why), "exception storm vector=%u count=%u", v, *count);
		return ACT_STOP;
	}
	/* Faulting while delivering another exception (SDM Vol. 3C 28.2.4). */
	(void)notify_read(n, vm, VMCS_idt_vectoring_info, &idt);
	int deliver = (int)v;
	if ((idt & INTR_INFO_VALID) && INTR_INFO_TYPE(idt) == INTR_TYPE_HW_EXCEPTION)
		deliver = combine_exceptions(INTR_INFO_VECTOR(idt), v);
	/* The CPU would shut down. It does not exit with reason triple_fault
	 * itself because this exception exits first (SDM Vol. 3C 26.2). */
	if (deliver < 0) {
		fmt(vm->why, sizeof(vm->why), "triple_fault vector=%u while delivering #DF", v);
		return ACT_STOP;
	}
	if (deliver == VECTOR_DF)
		error = 0;
	uint32_t inject = INTR_INFO_VALID | (INTR_TYPE_HW_EXCEPTION << 8) | (uint32_t)deliver |
			  (info & INTR_INFO_ERROR_CODE);
	char err[32] = "";
	if (info & INTR_INFO_ERROR_CODE)
		fmt(err, sizeof(err), " error=0x%llx", (unsigned long long)error);
	trace_vm(vm->id, TEV_VM_inject, "vector=%d why=%s%s", deliver, deliver == VECTOR_DF ? "double_fault" : "reflect",
		 err);
	if (!notify_write(n, vm, VMCS_entry_exception_error, error) ||
	    !notify_write(n, vm, VMCS_entry_intr_info, inject))
		return exits_stop(vm, "cannot inject an exception");
	return ACT_CONTINUE;
}

static enum exit_action on_ept_violation(struct notify *n, struct vm *vm)
{
	uint64_t gpa = 0, q = 0;
	(void)notify_read(n, vm, VMCS_guest_phys_addr, &gpa);
	(void)notify_read(n, vm, VMCS_exit_qualification, &q);
	/* Exit qualification bits 0-2: read, write, instruction fetch (SDM
	 * Vol. 3C Table 28-7). */
	fmt(vm->why, sizeof(vm->why), "ept_violation gpa=0x%llx access=%s", (unsigned long long)gpa,
	    (q & 4) ? "fetch" : (q & 2) ? "write" : "read");
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
	return exits_stop(vm, "triple_fault");
}

static enum exit_action unhandled(struct vm *vm, uint32_t reason)
{
	fmt(vm->why, sizeof(vm->why), "unhandled exit reason=%s (%u)", exit_reason_name(reason), reason);
	return ACT_STOP;
}

/* The PC platform's own exits (vmm/pc/); a tiny guest has none of them. */
#define PC_ONLY(name, reason, call)                                                 \
	static enum exit_action name(struct notify *n, struct vm *vm)               \
	{                                                                           \
		return vm->pc_on ? call(n, vm) : unhandled(vm, reason);             \
	}
PC_ONLY(on_rdmsr, EXIT_rdmsr, pc_rdmsr)
PC_ONLY(on_wrmsr, EXIT_wrmsr, pc_wrmsr)
PC_ONLY(on_cr_access, EXIT_cr_access, pc_cr_access)
PC_ONLY(on_xsetbv, EXIT_xsetbv, pc_xsetbv)
PC_ONLY(on_interrupt_window, EXIT_interrupt_window, pc_interrupt_window)
#undef PC_ONLY

static const exit_handler handlers[EXIT_REASON_LIMIT] = {
	[EXIT_rdmsr] = on_rdmsr,
	[EXIT_wrmsr] = on_wrmsr,
	[EXIT_cr_access] = on_cr_access,
	[EXIT_xsetbv] = on_xsetbv,
	[EXIT_interrupt_window] = on_interrupt_window,
	[EXIT_exception_nmi] = on_exception,
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
	if (!(reason < EXIT_REASON_LIMIT && handlers[reason]))
		return unhandled(vm, reason);
	enum exit_action act = handlers[reason](n, vm);
	/* A PC VM that goes on gets its interrupts at its next entry. */
	if (vm->pc_on && (act == ACT_CONTINUE || act == ACT_YIELD)) {
		enum exit_action ev = pc_events(n, vm);
		if (ev != ACT_CONTINUE)
			return ev;
	}
	return act;
}
