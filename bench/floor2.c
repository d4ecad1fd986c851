/* make bench's floor flavour 2 (never the image make run boots): linked in
 * place of vmm/fastpath/again.c. A CPUID exit is handled with the bare VMX
 * instructions: the exit reason, RIP and length read, RIP written, the
 * CPUID executed; no shadow, no counters, no checks. What the exit costs
 * without this project's work. Any other exit goes the usual way. */
#include "vmm/fastpath/again.h"
#include "arch/x86/cpu.h"

static bool bare_cpuid(struct guest_regs *g)
{
	uint64_t reason, rip, len;
	if (vmcs_read(VMCS_exit_reason, &reason).status != VMX_OK || reason != EXIT_cpuid)
		return false;
	struct cpuid_regs c;
	cpuid((uint32_t)g->rax, (uint32_t)g->rcx, &c);
	g->rax = c.eax;
	g->rbx = c.ebx;
	g->rcx = c.ecx;
	g->rdx = c.edx;
	return vmcs_read(VMCS_guest_rip, &rip).status == VMX_OK &&
	       vmcs_read(VMCS_exit_instr_len, &len).status == VMX_OK &&
	       vmcs_write(VMCS_guest_rip, rip + len).status == VMX_OK;
}

static bool floor2(void *hook)
{
	struct fastpath *fp = fastpath_of(hook);
	if (bare_cpuid(&fp->hook.vm->regs))
		return true;
	return fastpath_round_trip(fp, fastpath_sched_exit, fp->ctx, NULL, true);
}

bool fastpath_again_replay(void *hook)
{
	return floor2(hook);
}

bool fastpath_again_plain(void *hook)
{
	return floor2(hook);
}
