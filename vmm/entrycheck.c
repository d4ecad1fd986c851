/* Differential mode: case files (entrycheck=FILE), and the steps every case
 * is made of (entrycheck_impl.h; random cases: entrycheck_random.c). */
#include "entrycheck_impl.h"
#include "casefile.h"
#include "departures.h"
#include "fmt.h"
#include "trace.h"
#include "shadow/entry_checks.h"
#include "shadow/vmcs_life.h"
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
		if (e->n->current == vm)
			e->n->current = NULL;
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

static struct outcome from_vmx(struct vmx_result r)
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
	struct check_ctx cc = e->n->cc;
	cc.s = &vm->shadow;
	(void)validate_full(&cc, v);
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

/* The case's msrs=, as it was written, for the trace. */
static void msr_words(char *buf, size_t size, const struct ec_case *c)
{
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < c->nmsr && o < size; i++)
		o += fmt(buf + o, size - o, "%s0x%llx:0x%llx%s", i ? "," : "msrs=", (unsigned long long)c->msr[i][0],
			 (unsigned long long)c->msr[i][1], i + 1 == c->nmsr ? " " : "");
}

/* The pool pages one case holds (its MSR-load area, link page, PDPT and
 * page directory), all given back after it. */
struct case_pages {
	uint64_t pa[4];
	unsigned n;
};

/* One more page for the case (zeroed), or 0. */
static uint64_t case_page(struct ec_env *e, struct case_pages *p)
{
	uint64_t pa = p->n < 4 ? pagealloc_get(e->pool, 1) : 0;
	if (pa)
		p->pa[p->n++] = pa;
	return pa;
}

/* link=: what the VMCS link pointer is to name, as one of the case's
 * writes (0: no page could be had). */
static uint64_t link_target(struct ec_env *e, const struct vm *vm, enum case_link link, struct case_pages *p)
{
	if (link == LINK_current)
		return vm->vmcs_pa;
	uint64_t pa = case_page(e, p);
	if (pa) {
		uint32_t rev = e->revision;
		*(volatile uint32_t *)pa = link == LINK_shadow ? rev | 1u << 31 : link == LINK_badrev ? rev ^ 1 : rev;
		(void)e->n->ops->vmclear(pa);   /* a VMCS the CPU may cache: clear, as before any use */
	}
	return pa;
}

/* pdpt=: a page-directory-pointer table in a VMM page and an empty page
 * directory (zeroed) its present entries point to, so a guest that enters
 * without EPT faults at its first fetch and can reach nothing. Returns the
 * table's address for guest CR3, or 0. */
static uint64_t pdpt_target(struct ec_env *e, enum case_pdpt kind, struct case_pages *p)
{
	uint64_t table = case_page(e, p), dir = table ? case_page(e, p) : 0;
	if (!dir)
		return 0;
	volatile uint64_t *t = (volatile uint64_t *)table;
	for (unsigned i = 0; i < 4 && kind != PDPT_zero; i++)
		t[i] = dir | 1;
	if (kind == PDPT_reserved)
		t[0] |= 2;                      /* bit 1 is reserved in a PAE PDPTE */
	return table;
}

/* msrs=: the case's VM-entry MSR-load area in a VMM page, or 0. */
static uint64_t msr_area(struct ec_env *e, const struct ec_case *c, struct case_pages *p)
{
	uint64_t pa = case_page(e, p);
	for (unsigned i = 0; pa && i < c->nmsr; i++) {
		((volatile uint64_t *)pa)[2 * i] = c->msr[i][0];
		((volatile uint64_t *)pa)[2 * i + 1] = c->msr[i][1];
	}
	return pa;
}

/* One VMCS-state case: fresh VMCS, set-up, writes, a forced VMLAUNCH.
 * With entry=resume the VMCS is launched first and the probe exits on its
 * HLT; the writes come after that VM exit and the forced entry is a
 * VMRESUME, which the shadow validates by the dirty fields alone, reading
 * from the CPU what the exit made it forget. */
static void run_state_case(struct ec_env *e, const struct ec_case *c,
			   struct outcome *shadow, struct outcome *cpu, struct entry_result *r,
			   struct vmcs_shadow *before, char *desc, size_t size)
{
	struct vm *vm = e->probe[c->probe];
	*cpu = (struct outcome){ OUT_ERROR, 0, 0 };
	*shadow = *cpu;
	memset(r, 0, sizeof(*r));
	desc[0] = '\0';
	if (!fresh_vmcs(e, vm) || !notify_prepare(e->n, vm) || (c->resume && !launch_to_hlt(e, vm)))
		return;
	/* msrs=, link= and pdpt= come first among the writes (after fresh_vmcs:
	 * "current" names this case's VMCS) */
	struct case_write w[CASE_MAX_WRITES + 4];
	unsigned nw = 0;
	struct case_pages pages = { { 0 }, 0 };
	uint64_t link = 0;
	bool ready = true;
	if (c->nmsr) {
		w[nw] = (struct case_write){ VMCS_entry_msr_load_addr, CASE_SET, msr_area(e, c, &pages) };
		ready &= w[nw++].value != 0;
		w[nw++] = (struct case_write){ VMCS_entry_msr_load_count, CASE_SET, c->nmsr };
	}
	if (c->link != LINK_none) {
		w[nw] = (struct case_write){ VMCS_vmcs_link_ptr, CASE_SET, link = link_target(e, vm, c->link, &pages) };
		ready &= w[nw++].value != 0;
	}
	if (c->pdpt != PDPT_none) {
		w[nw] = (struct case_write){ VMCS_guest_cr3, CASE_SET, pdpt_target(e, c->pdpt, &pages) };
		ready &= w[nw++].value != 0;
	}
	memcpy(w + nw, c->w, c->nw * sizeof(c->w[0]));
	nw += c->nw;
	if (ready && apply_writes(e, vm, w, nw, desc, size)) {
		struct verdict full;
		full_verdict(e, vm, &full);
		*before = vm->shadow;
		notify_enter(e->n, vm, true, r);
		*shadow = from_verdict(&r->predicted);
		*cpu = from_entry(r);
	}
	if (link && c->link != LINK_current)
		(void)e->n->ops->vmclear(link); /* out of the CPU before the page goes back */
	for (unsigned i = 0; i < pages.n; i++)
		pagealloc_put(e->pool, pages.pa[i], 1);
}

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
static void run_life_case(struct ec_env *e, enum life_op op, struct outcome *shadow, struct outcome *cpu)
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
	struct life_state ls = { e->vmxon_pa, e->n->caps->maxphyaddr, e->revision, e->n->current != NULL };
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
				      : e->n->ops->enter(&vm->regs, launch, NULL, NULL));
		if (cpu->kind == OUT_OK)          /* entered after all: launched now */
			vm->launch = VMCS_LAUNCHED;
	} else if (op <= LIFE_OP_vmclear_vmxon) {
		uint64_t a = life_addr(e, op, &page);
		life_vmclear(&ls, a, &v);
		*shadow = from_verdict(&v);
		*cpu = from_vmx(e->n->ops->vmclear(a));
	} else {
		uint64_t a = life_addr(e, op, &page);
		if (!a)
			return;
		life_vmptrld(&ls, a, (a & 0xfff) || (a >> ls.maxphyaddr) ? 0 : *(uint32_t *)a, &v);
		*shadow = from_verdict(&v);
		*cpu = from_vmx(e->n->ops->vmptrld(a));
		if (cpu->kind == OUT_OK)          /* the CPU took it: that page is current now */
			e->n->current = NULL;
	}
	if (page) {
		if (cpu->kind == OUT_OK && op == LIFE_OP_vmptrld_bad_revision)
			(void)e->n->ops->vmclear(page);
		pagealloc_put(e->pool, page, 1);
	}
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
	trace_hv("case line=%u result=%s shadow=%s%s cpu=%s expect=%s%s%s %s", line, result, s, chk, c, x,
		 dep[0] ? " departure=" : "", dep, what);
}

void entrycheck_file(struct ec_env *e, const char *text, size_t len, struct ec_totals *t)
{
	unsigned line = 0;
	for (size_t i = 0; i < len;) {
		size_t s = i;
		while (i < len && text[i] != '\n')
			i++;
		line++;
		struct ec_case c;
		char err[96];
		enum case_parse p = case_parse_line(text + s, i - s, &c, err, sizeof(err));
		i++;
		if (p == CASE_EMPTY)
			continue;
		if (p == CASE_BAD) {
			char q[160];
			trace_quote(q, sizeof(q), err, strlen(err));
			trace_hv("case line=%u malformed=%s", line, q);
			t->malformed++;
			continue;
		}
		struct outcome shadow, cpu;
		struct entry_result r;
		static struct vmcs_shadow before;
		const struct departure *d = NULL;
		char desc[700], what[960];
		if (c.life != LIFE_OP_none) {
			run_life_case(e, c.life, &shadow, &cpu);
			fmt(what, sizeof(what), "op=%s", life_op_name(c.life));
			memset(&r, 0, sizeof(r));
		} else {
			run_state_case(e, &c, &shadow, &cpu, &r, &before, desc, sizeof(desc));
			char words[80], msrs[160];
			case_words(words, sizeof(words), c.resume, c.probe, c.link, c.pdpt);
			msr_words(msrs, sizeof(msrs), &c);
			fmt(what, sizeof(what), "%s%swrites=%s", words, msrs, desc);
			/* A case marked as a departure counts as one only when a known
			 * departure row explains what the CPU did. */
			if (c.has_if_allowed && case_controls_allowed(e->n->caps, &before))
				c.expect = c.if_allowed;
			if (c.departure[0] && !outcome_equal(&shadow, &cpu))
				d = departure_find(&before, &r.predicted, &cpu);
		}
		const char *res = classify(&shadow, &cpu, &c.expect, d != NULL, t);
		trace_case(line, what, &shadow, &r, &cpu, &c.expect, d ? d->id : "", res);
	}
}
