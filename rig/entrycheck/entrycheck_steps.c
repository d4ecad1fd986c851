/* Differential mode: the steps every case is made of (a fresh VMCS, a
 * launch to the probe's HLT, the writes, the shadow's full verdict), how a
 * case is judged against the CPU, and its trace line. */
#include "rig/entrycheck/entrycheck_impl.h"
#include "vmm/fmt.h"
#include "vmm/trace.h"
#include "vmm/shadow/entry_checks.h"
#include <string.h>

/* A fresh VMCS for the next case on probe vm: the old one is cleared and
 * returned to the pool, a new zeroed page gets the revision id, and the
 * shadow starts empty, so the next entry is a first entry (VMCLEAR,
 * VMPTRLD, set-up). */
bool fresh_vmcs(struct ec_env *e, struct vm *vm)
{
	if (vm->vmcs_pa) {
		if (vm->launch != VMCS_UNINIT)
			(void)notify_clear(e->n, vm, "last");
		if (notify_current(e->n) == vm)
			notify_lose_current(e->n);
		pagealloc_put(e->pool, vm->vmcs_pa, 1);
	}
	vm->vmcs_pa = pagealloc_get(e->pool, 1);
	if (!vm->vmcs_pa)
		return false;
	*(uint32_t *)vm->vmcs_pa = e->revision;
	vm->launch = VMCS_UNINIT;
	vm->setup_done = false;
	vm->dead = false;
	shadow_init(&vm->shadow);
	memset(vm->pending, 0, sizeof(vm->pending));
	memset(&vm->regs, 0, sizeof(vm->regs));
	/* The guest may have run in the last case: give it its image back
	 * (a long64 probe's page tables, at the top, it does not write). */
	memset((void *)vm->mem_pa, 0, vm->mem_size - guest_reserved_top(vm->image->mode));
	memcpy((void *)(vm->mem_pa + 0x1000), vm->image->start, (size_t)(vm->image->end - vm->image->start));
	return true;
}

struct outcome from_verdict(const struct verdict *v)
{
	struct outcome o = { OUT_OK, 0, 0 };
	if (v->kind == VERDICT_VMFAIL)
		o = (struct outcome){ v->code ? OUT_VMFAIL : OUT_VMFAIL_INVALID, v->code, 0 };
	else if (v->kind == VERDICT_ENTRYFAIL)
		o = (struct outcome){ OUT_ENTRYFAIL, v->code, v->qual };
	return o;
}

struct outcome from_vmx(struct vmx_result r)
{
	if (r.status == VMX_OK)
		return (struct outcome){ OUT_OK, 0, 0 };
	if (r.status == VMX_FAIL_INVALID)
		return (struct outcome){ OUT_VMFAIL_INVALID, 0, 0 };
	return (struct outcome){ OUT_VMFAIL, r.error, 0 };
}

struct outcome from_entry(const struct entry_result *r)
{
	switch (r->outcome) {
	case ENTRY_EXITED:
		return (struct outcome){ OUT_OK, 0, 0 };
	case ENTRY_VMFAIL:
		return from_vmx(r->cpu);
	case ENTRY_FAILED:
		return (struct outcome){ OUT_ENTRYFAIL, r->exit_reason & 0xffff, r->exit_qual };
	default:
		return (struct outcome){ OUT_ERROR, 0, 0 };
	}
}

/* Apply the case's writes to the valid VMCS of vm (current). */
bool apply_writes(struct ec_env *e, struct vm *vm, const struct case_write *w, unsigned nw, char *desc,
			 size_t size)
{
	size_t o = 0;
	desc[0] = '\0';
	for (unsigned i = 0; i < nw; i++) {
		uint64_t old = 0;
		(void)notify_read(e->n, vm, w[i].field, &old);
		uint64_t v = case_apply(w[i].op, old, w[i].value) & vmcs_field_mask(w[i].field);
		o += fmt(desc + o, size - o, "%s%s=0x%llx", i ? "," : "", vmcs_field_name(w[i].field),
			 (unsigned long long)v);
		if (!notify_write(e->n, vm, w[i].field, v))
			return false;
	}
	return true;
}

/* Launch vm's fresh VMCS: true when the probe ran and exited on its HLT,
 * so the next entry is a VMRESUME after a VM exit. */
bool launch_to_hlt(struct ec_env *e, struct vm *vm)
{
	struct entry_result r;
	notify_enter(e->n, vm, false, &r);
	return r.outcome == ENTRY_EXITED && r.exit_reason == EXIT_hlt;
}

/* The full verdict on vm's VMCS as it is, reading what the shadow does
 * not know from the CPU (after an exit: the guest state and the entry
 * controls). The shadow then holds every value the checks read, so a copy
 * of it shows departure rows what the verdict was made on. */
void full_verdict(struct ec_env *e, struct vm *vm, struct verdict *v)
{
	(void)notify_full_verdict(e->n, vm, v);
}

void case_words(char *buf, size_t size, bool resume, enum case_probe probe, enum case_link link,
		enum case_pdpt pdpt)
{
	size_t o = fmt(buf, size, "%s", resume ? "entry=resume " : "");
	if (probe != PROBE_prot32)
		o += fmt(buf + o, size - o, "probe=%s ", case_probe_name(probe));
	if (link != LINK_none)
		o += fmt(buf + o, size - o, "link=%s ", case_link_name(link));
	if (pdpt != PDPT_none)
		fmt(buf + o, size - o, "pdpt=%s ", case_pdpt_name(pdpt));
}

const char *classify(const struct outcome *shadow, const struct outcome *cpu,
			    const struct outcome *expect, bool departure, struct ec_totals *t)
{
	t->cases++;
	if (cpu->kind == OUT_ERROR || shadow->kind == OUT_ERROR) {
		t->errors++;
		return "error";
	}
	if (outcome_equal(shadow, cpu)) {
		if (!expect || outcome_equal(shadow, expect)) {
			t->agree++;
			return "agree";
		}
		t->wrong++;
		return "wrong";
	}
	if (departure && expect && outcome_equal(shadow, expect)) {
		t->departures++;
		return "departure";
	}
	t->disagree++;
	return "disagree";
}

void trace_case(unsigned line, const char *what, const struct outcome *shadow,
		       const struct entry_result *r, const struct outcome *cpu,
		       const struct outcome *expect, const char *dep, const char *result)
{
	char s[32], c[32], x[32] = "none", chk[96] = "";
	outcome_format(shadow, s, sizeof(s));
	outcome_format(cpu, c, sizeof(c));
	if (expect)
		outcome_format(expect, x, sizeof(x));
	if (r && r->predicted.check)
		fmt(chk, sizeof(chk), " check=%s sdm=%s", r->predicted.check->id, r->predicted.check->sdm);
	trace_hv(TEV_HV_case, "line=%u result=%s shadow=%s%s hw=%s expect=%s%s%s %s", line, result, s, chk, c, x,
		 dep[0] ? " departure=" : "", dep, what);
}
