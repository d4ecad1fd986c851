/* Differential mode, life-cycle cases (op=): a VMX instruction misused on
 * purpose, the shadow's life-cycle verdict (vmm/shadow/vmcs_life.h) held
 * against what the CPU returns. */
#include "rig/entrycheck/entrycheck_impl.h"
#include "vmm/shadow/vmcs_life.h"

static uint64_t life_addr(struct ec_env *e, enum life_op op, uint64_t *extra_page)
{
	uint64_t beyond = 1ull << e->n->caps->maxphyaddr;
	switch (op) {
	case LIFE_OP_vmclear_unaligned:
	case LIFE_OP_vmptrld_unaligned:
		return e->probe[PROBE_prot32]->vmcs_pa + 8;
	case LIFE_OP_vmclear_beyond_maxphyaddr:
	case LIFE_OP_vmptrld_beyond_maxphyaddr:
		return beyond;
	case LIFE_OP_vmclear_vmxon:
	case LIFE_OP_vmptrld_vmxon:
		return e->vmxon_pa;
	default:
		*extra_page = pagealloc_get(e->pool, 1);
		if (*extra_page)
			*(uint32_t *)*extra_page = e->revision ^ 1;   /* wrong revision id */
		return *extra_page;
	}
}

/* One life-cycle case: a VMX instruction misused on purpose, with the
 * probe's valid VMCS current (so failures are VMfailValid). */
void run_life_case(struct ec_env *e, enum life_op op, struct outcome *shadow, struct outcome *cpu)
{
	struct vm *vm = e->probe[PROBE_prot32];
	*cpu = (struct outcome){ OUT_ERROR, 0, 0 };
	*shadow = *cpu;
	if (!fresh_vmcs(e, vm) || !notify_prepare(e->n, vm))
		return;
	struct entry_result r;
	if (op == LIFE_OP_vmlaunch_launched) {
		notify_enter(e->n, vm, true, &r);
		if (r.outcome != ENTRY_EXITED)
			return;
	}
	struct life_state ls = { e->vmxon_pa, e->n->caps->maxphyaddr, e->revision, notify_current(e->n) != NULL };
	struct verdict v;
	uint64_t page = 0;
	bool movss = op == LIFE_OP_vmlaunch_movss || op == LIFE_OP_vmresume_movss;
	if (op == LIFE_OP_vmlaunch_launched || op == LIFE_OP_vmresume_clear || movss) {
		bool launch = op == LIFE_OP_vmlaunch_launched || op == LIFE_OP_vmlaunch_movss;
		if (movss && !e->enter_after_movss)
			return;
		life_enter(&ls, vm->launch == VMCS_LAUNCHED, launch, movss, &v);
		*shadow = from_verdict(&v);
		*cpu = from_vmx(movss ? e->enter_after_movss(&vm->regs, launch)
				      : vmx_enter(&vm->regs, launch, NULL, NULL));
		if (cpu->kind == OUT_OK)          /* entered after all: launched now */
			vm->launch = VMCS_LAUNCHED;
	} else if (op <= LIFE_OP_vmclear_vmxon) {
		uint64_t a = life_addr(e, op, &page);
		life_vmclear(&ls, a, &v);
		*shadow = from_verdict(&v);
		*cpu = from_vmx(vmx_clear(a));
	} else {
		uint64_t a = life_addr(e, op, &page);
		if (!a)
			return;
		life_vmptrld(&ls, a, (a & 0xfff) || (a >> ls.maxphyaddr) ? 0 : *(uint32_t *)a, &v);
		*shadow = from_verdict(&v);
		*cpu = from_vmx(vmx_ptrld(a));
		if (cpu->kind == OUT_OK)          /* the CPU took it: that page is current now */
			notify_lose_current(e->n);
	}
	if (page) {
		if (cpu->kind == OUT_OK && op == LIFE_OP_vmptrld_bad_revision)
			ec_clear(page);
		pagealloc_put(e->pool, page, 1);
	}
}
