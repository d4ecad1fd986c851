/* Processor notification module: the entry state machine. */
#include "vmm/notify.h"
#include "vmm/notify_steps.h"
#include "vmm/trace.h"
#include "vmm/fmt.h"
#include <string.h>

/* Lines that always matter (refusals, failures, disagreements); only the
 * differential mode silences them (n->quiet), as its case lines say it all. */
#define NTRACE(vmid, ...) do { if (!n->quiet) trace_vm(vmid, __VA_ARGS__); } while (0)

/* A per-instruction line (trace=summary drops these): skipped before any
 * argument is formatted (notify_tracing). */
#define DTRACE(vmid, ...) do { if (notify_tracing(n)) trace_vm(vmid, __VA_ARGS__); } while (0)

static const char *const insn_name[] = { "vmlaunch", "vmresume" };

static uint64_t fetch_current(void *opaque, enum vmcs_field f);

/* [pa, pa + len) when it lies in the VMM's own pages (identity-mapped), or
 * NULL: the only memory the rows that read memory (the link pointer's page,
 * PDPTEs without EPT, the MSR-load area) may see. */
static const volatile void *own_memory(const struct notify *n, uint64_t pa, uint64_t len)
{
	bool in = pa >= n->own_lo && pa <= n->own_hi && len <= n->own_hi - pa;
	return in && !(pa & 3) ? (const volatile void *)(uintptr_t)pa : NULL;
}

/* check_ctx.link_page: the page's first dword, and whether it is the
 * current VMCS. */
static bool link_page(void *opaque, uint64_t pa, uint32_t *first, bool *current)
{
	struct notify *n = opaque;
	const volatile uint32_t *p = own_memory(n, pa, 4);
	if (!p)
		return false;
	*first = *p;
	*current = n->current && n->current->vmcs_pa == pa;
	return true;
}

/* check_ctx.msr_entry: one 16-byte MSR-area entry. */
static bool msr_entry(void *opaque, uint64_t pa, uint64_t entry[2])
{
	const volatile uint64_t *p = (pa & 0xf) ? NULL : own_memory(opaque, pa, 16);
	if (!p)
		return false;
	entry[0] = p[0];
	entry[1] = p[1];
	return true;
}

/* check_ctx.pdpt: the four PDPTEs. */
static bool pdpt(void *opaque, uint64_t pa, uint64_t pdpte[4])
{
	const volatile uint64_t *p = (pa & 0x1f) ? NULL : own_memory(opaque, pa, 32);
	if (!p)
		return false;
	for (unsigned i = 0; i < 4; i++)
		pdpte[i] = p[i];
	return true;
}

void notify_init(struct notify *n, const struct vmx_caps *caps,
		 struct pmr_cache *pmr, vmcs_setup_fn setup, void *setup_ctx)
{
	memset(n, 0, sizeof(*n));
	n->caps = caps;
	n->pmr = pmr;
	n->setup = setup;
	n->setup_ctx = setup_ctx;
	/* The VMCS state a miss loads: every field the VMM knows of. */
	for (int f = 0; f < VMCS_FIELD_COUNT; f++)
		n->vmcs_bytes += vmcs_field_bytes((enum vmcs_field)f);
	/* The hypervisor's entries skip the undeclared-read audit: the unit
	 * tests and fuzzers audit every check on every mutation. */
	n->cc = (struct check_ctx){ .caps = caps, .fetch = fetch_current, .opaque = n, .no_audit = true,
				    .link_page = link_page, .pdpt = pdpt, .msr_entry = msr_entry };
}

enum entry_insn notify_next_insn(const struct vm *vm)
{
	return vm->launch == VMCS_LAUNCHED ? INSN_VMRESUME : INSN_VMLAUNCH;
}

static void trace_status(char *buf, size_t size, struct vmx_result r)
{
	if (r.status == VMX_FAIL_VALID)
		fmt(buf, size, "status=vmfail_valid error=%u", r.error);
	else
		fmt(buf, size, "status=%s", vmx_status_name(r.status));
}

bool notify_write_issued(struct notify *n, struct vm *vm, enum vmcs_field f, uint64_t v, struct vmx_result r)
{
	n->costs.vmwrites[n->last_reason]++;
	bool inval = r.status == VMX_OK && pmr_on_vmwrite(n->pmr, vm->id, f);
	if (notify_tracing(n) || r.status != VMX_OK) {   /* a failed VMWRITE is always told */
		char st[48];
		trace_status(st, sizeof(st), r);
		NTRACE(vm->id, TEV_VM_vmwrite, "field=%s value=0x%llx %s pmr=%s", vmcs_field_name(f),
		       (unsigned long long)v, st, inval ? "invalidate" : "none");
	}
	if (r.status != VMX_OK)
		return false;
	shadow_write(&vm->shadow, f, v);
	vm->pending[f / 64] &= ~(1ull << (f % 64));
	return true;
}

bool notify_write_slow(struct notify *n, struct vm *vm, enum vmcs_field f, uint64_t v)
{
	v &= vmcs_field_mask(f);
	if (n->current != vm) {
		shadow_write(&vm->shadow, f, v);
		shadow_bit_set(vm->pending, f);
		return true;
	}
	return notify_write_issued(n, vm, f, v, vmcs_write(f, v));
}

static bool flush_pending(struct notify *n, struct vm *vm)
{
	for (int w = 0; w < SHADOW_WORDS; w++)
		for (uint64_t m = vm->pending[w]; m; m &= m - 1) {
			enum vmcs_field f = (enum vmcs_field)(w * 64 + __builtin_ctzll(m));
			if (!notify_write(n, vm, f, shadow_get(&vm->shadow, f)))
				return false;
		}
	return true;
}

static uint64_t fetch_current(void *opaque, enum vmcs_field f)
{
	struct notify *n = opaque;
	uint64_t v = 0;
	if (n->current)
		(void)notify_read_cpu(n, n->current, f, &v);
	return v;
}

bool notify_clear(struct notify *n, struct vm *vm, const char *kind)
{
	struct vmx_result r = vmx_clear(vm->vmcs_pa);
	struct pmr_outcome po;
	bool had_slot = r.status == VMX_OK && pmr_on_vmclear(n->pmr, vm->id, &po) && po.flushed;
	char st[48];
	trace_status(st, sizeof(st), r);
	DTRACE(vm->id, TEV_VM_vmclear, "kind=%s %s pmr=%s", kind, st, had_slot ? "flush,free" : "none");
	if (had_slot) {
		DTRACE(vm->id, TEV_VM_pmr, "op=flush slot=%d", po.slot);
		DTRACE(vm->id, TEV_VM_pmr, "op=free slot=%d", po.slot);
	}
	if (r.status != VMX_OK)
		return false;
	if (n->current == vm)
		n->current = NULL;   /* SDM: VMCLEAR of the current VMCS invalidates the pointer */
	vm->launch = VMCS_CLEAR;
	vm->where.active = false;   /* SDM 25.11.3: not active on any processor */
	return true;
}

static bool do_vmptrld(struct notify *n, struct vm *vm, const char *why)
{
	struct vmx_result r = vmx_ptrld(vm->vmcs_pa);
	char st[48];
	trace_status(st, sizeof(st), r);
	DTRACE(vm->id, TEV_VM_vmptrld, "why=%s %s", why, st);
	if (r.status != VMX_OK)
		return false;
	n->current = vm;
	vm->where = (struct vmcs_where){ true, n->smp.cpu };
	return true;
}

/* The whole VMCS set-up, after which writes the VMM asked for before the
 * first entry (while the VMCS was not current) still win. */
static bool setup_keeping_pending(struct notify *n, struct vm *vm)
{
	uint64_t pend[SHADOW_WORDS], val[VMCS_FIELD_COUNT];
	memcpy(pend, vm->pending, sizeof(pend));
	memcpy(val, vm->shadow.val, sizeof(val));
	memset(vm->pending, 0, sizeof(vm->pending));
	unsigned reason = n->last_reason;
	n->last_reason = NOTIFY_COSTS_SETUP;   /* set-up is the first entry's, not an exit's */
	bool ok = n->setup(n, vm);
	n->last_reason = reason;
	if (!ok)
		return false;
	for (int f = 0; f < VMCS_FIELD_COUNT; f++)
		if (shadow_bit(pend, (enum vmcs_field)f) && !notify_write(n, vm, (enum vmcs_field)f, val[f]))
			return false;
	return true;
}

/* Bring the VMCS up to date for the entry: the first entry writes it
 * whole, a subsequent one only loads it on a switch and writes what
 * changed. */
static bool prepare(struct notify *n, struct vm *vm, enum entry_insn insn)
{
	if (insn == INSN_VMLAUNCH) {
		if (vm->launch == VMCS_UNINIT && !notify_clear(n, vm, "first"))
			return false;
		if (n->current != vm && !do_vmptrld(n, vm, vm->moved ? "move" : "first"))
			return false;
		if (!vm->setup_done && !setup_keeping_pending(n, vm))
			return false;
		vm->setup_done = true;
		if (vm->moved && n->smp.host_percpu && !n->smp.host_percpu(n, vm))
			return false;
		return flush_pending(n, vm);
	}
	if (n->current != vm && !do_vmptrld(n, vm, "switch"))
		return false;
	return flush_pending(n, vm);
}

bool notify_prepare(struct notify *n, struct vm *vm)
{
	struct entry_result r;
	return !vm->dead && notify_claim(n, vm, &r) && prepare(n, vm, notify_next_insn(vm));
}

static void dirty_list(const struct vm *vm, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int f = 0; f < VMCS_FIELD_COUNT && o + 1 < size; f++) {
		if (!shadow_dirty(&vm->shadow, (enum vmcs_field)f))
			continue;
		o += fmt(buf + o, size - o, "%s%s", o ? "," : " dirty=", vmcs_field_name((enum vmcs_field)f));
	}
}

/* The CPU's verdict in the shadow's terms, to hold one against the other. */
static bool cpu_agrees(const struct entry_result *r)
{
	const struct verdict *p = &r->predicted;
	switch (r->outcome) {
	case ENTRY_EXITED:
		return p->kind == VERDICT_OK;
	case ENTRY_VMFAIL:
		return p->kind == VERDICT_VMFAIL && r->cpu.status == VMX_FAIL_VALID &&
		       r->cpu.error == p->code;
	case ENTRY_FAILED:
		return p->kind == VERDICT_ENTRYFAIL && (r->exit_reason & 0xffff) == p->code &&
		       r->exit_qual == p->qual;
	default:
		return false;
	}
}

/* The entry line (and the cache model's evict/alloc lines before it),
 * when per-instruction lines are printed. */
void notify_trace_entry(struct notify *n, struct vm *vm, enum entry_insn insn,
			const struct entry_result *r, unsigned ran, const struct pmr_outcome *po)
{
	char dirty[256], verdict[32];
	if (po->evicted_vm)
		DTRACE((unsigned)po->evicted_vm, TEV_VM_pmr, "op=evict slot=%d by=%u", po->evicted_slot, vm->id);
	if (po->alloc_slot >= 0)
		DTRACE(vm->id, TEV_VM_pmr, "op=alloc slot=%d", po->alloc_slot);
	dirty[0] = '\0';
	if (insn == INSN_VMRESUME)
		dirty_list(vm, dirty, sizeof(dirty));
	verdict_format(&r->predicted, verdict, sizeof(verdict));
	trace_vm(vm->id, TEV_VM_entry, "n=%llu kind=%s insn=%s checks=%s ran=%u%s verdict=%s pmr=%s load=%u",
		 (unsigned long long)vm->n.entries + 1,
		 insn == INSN_VMRESUME ? "subsequent" : vm->moved ? "moved" : "first",
		 insn_name[insn], insn == INSN_VMLAUNCH ? "all" : "dirty", ran, dirty, verdict,
		 po->hit ? "hit" : "miss", po->load_bytes);
}

void notify_replayed(struct notify *n, struct vm *vm, uint64_t k)
{
	unsigned reason = n->last_reason;   /* the replayed exits' (the last exit begun) */
	n->costs.exits[reason] += k;
	n->costs.vmreads[reason] += 3 * k;
	n->costs.vmwrites[reason] += k;
	vm->n.entries += k;
	vm->n.resumes += k;
	vm->n.checks_dirty += k;
	pmr_write_then_hit(n->pmr, vm->id, VMCS_guest_rip, k);
}

void notify_enter(struct notify *n, struct vm *vm, bool force, struct entry_result *r)
{
	memset(r, 0, sizeof(*r));
	r->insn = notify_next_insn(vm);
	if (vm->dead) {
		r->outcome = ENTRY_REFUSED;
		NTRACE(vm->id, TEV_VM_refuse, "insn=%s why=\"VMCS was cleared for the last time\"", insn_name[r->insn]);
		return;
	}
	if (!notify_claim(n, vm, r))
		return;
	enum entry_insn insn = notify_next_insn(vm);   /* a move made it a VMLAUNCH */
	r->insn = insn;
	if (!prepare(n, vm, insn)) {
		r->outcome = ENTRY_SETUP_FAILED;
		return;
	}
	notify_entry_checks(n, vm, insn, r);
	vm->moved = false;
	if (r->predicted.kind != VERDICT_OK && !force) {
		r->outcome = ENTRY_PREDICTED_FAIL;
		return;
	}
	if (n->hook)
		n->hook->vm = force ? NULL : vm;
	notify_issue(n, vm, insn, r);
	if (n->hook)
		n->hook->vm = NULL;
	if (r->outcome == ENTRY_REFUSED || r->outcome == ENTRY_PREDICTED_FAIL || r->handled)
		return;
	r->agree = cpu_agrees(r);
	if (!r->agree) {
		char verdict[32];
		verdict_format(&r->predicted, verdict, sizeof(verdict));
		NTRACE(vm->id, TEV_VM_disagree, "n=%llu shadow=%s hw=%s", (unsigned long long)vm->n.entries, verdict,
			 r->outcome == ENTRY_EXITED ? "ok" : r->outcome == ENTRY_VMFAIL ? "vmfail" : "entryfail");
	}
}

enum entry_outcome notify_exit_failed(struct notify *n, struct vm *vm, struct entry_result *r)
{
	uint64_t qual = 0;
	(void)notify_read(n, vm, VMCS_exit_qualification, &qual);
	r->exit_qual = qual;
	NTRACE(vm->id, TEV_VM_entryfail, "n=%llu insn=%s status=entryfail reason=%u qual=0x%llx",
	       (unsigned long long)vm->n.entries, insn_name[r->insn], (unsigned)(r->exit_reason & 0xffff),
	       (unsigned long long)qual);
	return r->outcome = ENTRY_FAILED;
}

enum entry_outcome notify_issue(struct notify *n, struct vm *vm, enum entry_insn insn,
				struct entry_result *r)
{
	const char *why = NULL;
	if (n->current != vm)
		why = "VMCS is not current";
	else if (insn == INSN_VMLAUNCH && vm->launch != VMCS_CLEAR)
		why = "VMLAUNCH needs a clear VMCS";
	else if (insn == INSN_VMRESUME && vm->launch != VMCS_LAUNCHED)
		why = "VMRESUME needs a launched VMCS";
	if (why) {
		NTRACE(vm->id, TEV_VM_refuse, "insn=%s why=\"%s\"", insn_name[insn], why);
		return r->outcome = ENTRY_REFUSED;
	}
	if (!n->costs.first_entry_tsc)
		n->costs.first_entry_tsc = vmx_now();
	r->insn = insn;
	struct notify_hook *h = n->hook;
	bool fast = h && h->vm == vm;
	if (h)
		h->r = r;
	r->outcome = ENTRY_EXITED;
	r->cpu = vmx_enter(&vm->regs, insn == INSN_VMLAUNCH, fast ? h->again : NULL, h);
	if (h && h->after)
		h->after(h);        /* the stub's loop ended */
	if (r->cpu.status != VMX_OK) {
		if (r->cpu.status == VMX_FAIL_VALID)
			NTRACE(vm->id, TEV_VM_entryfail, "n=%llu insn=%s status=vmfail error=%u",
				 (unsigned long long)vm->n.entries, insn_name[r->insn], r->cpu.error);
		else
			NTRACE(vm->id, TEV_VM_entryfail, "n=%llu insn=%s status=vmfail_invalid",
				 (unsigned long long)vm->n.entries, insn_name[r->insn]);
		return r->outcome = ENTRY_VMFAIL;
	}
	/* With the fast path every exit was begun by its again already. */
	return fast ? r->outcome : notify_exit_begin(n, vm, r);
}

bool notify_last(struct notify *n, struct vm *vm)
{
	if (vm->dead)
		return true;
	if (vm->where.active && vm->where.cpu != n->smp.cpu) {
		NTRACE(vm->id, TEV_VM_refuse, "insn=vmclear why=\"vmcs active on cpu %u: VMCLEAR it there\" sdm=%s",
		       vm->where.cpu, LIFE_SDM_ONE_PROCESSOR);
		return false;
	}
	bool ok = vm->launch == VMCS_UNINIT || notify_clear(n, vm, "last");
	vm->dead = true;
	return ok;
}
