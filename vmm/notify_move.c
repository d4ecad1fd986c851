/* The move protocol: a VM's VMCS goes from one logical processor to
 * another only through a VMCLEAR on the first (SDM Vol. 3C 25.1, 25.11.1:
 * the current-VMCS pointer and the set of active VMCSs are per processor;
 * a VMCS active on one must not be made active on another before it is
 * cleared there, which writes the data the first holds back to memory and
 * makes its launch state clear). So the new processor's first entry of a
 * moved VM is a VMLAUNCH with full validation, after its VMPTRLD and the
 * VMWRITEs of the host state that differs per processor. */
#include "vmm/notify.h"
#include "vmm/trace.h"

#define NTRACE(vmid, ...) do { if (!n->quiet) trace_vm(vmid, __VA_ARGS__); } while (0)

void notify_set_cpu(struct notify *n, unsigned cpu, notify_ask_clear_fn ask, void *ask_ctx,
		    vmcs_setup_fn host_percpu)
{
	n->smp.cpu = cpu;
	n->smp.ask_clear = ask;
	n->smp.ask_ctx = ask_ctx;
	n->smp.host_percpu = host_percpu;
}

bool notify_release(struct notify *n, struct vm *vm)
{
	if (!vm->where.active)
		return true;
	if (vm->where.cpu != n->smp.cpu)
		return false;   /* not this processor's to clear */
	if (!notify_clear(n, vm, "move"))
		return false;
	n->smp.moves_out++;
	vm->moved = true;   /* where.cpu still names this processor: the move's from */
	return true;
}

bool notify_claim(struct notify *n, struct vm *vm, struct entry_result *r)
{
	unsigned other;
	if (!life_may_load(&vm->where, n->smp.cpu, &other) &&
	    !(n->smp.ask_clear && n->smp.ask_clear(n->smp.ask_ctx, other, vm) &&
	      life_may_load(&vm->where, n->smp.cpu, &other))) {
		NTRACE(vm->id, TEV_VM_refuse,
		       "insn=vmptrld why=\"vmcs active on cpu %u: VMCLEAR it there first\" sdm=%s",
		       other, LIFE_SDM_ONE_PROCESSOR);
		r->outcome = ENTRY_REFUSED;
		return false;
	}
	/* Released (here or by the other processor on request) and not
	 * loaded anywhere since: this processor takes it over. */
	if (vm->moved && !vm->where.active) {
		n->smp.moves_in++;
		NTRACE(vm->id, TEV_VM_move, "from=%u to=%u", vm->where.cpu, n->smp.cpu);
	}
	return true;
}
