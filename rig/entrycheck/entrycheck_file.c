/* Differential mode, case files (entrycheck=FILE): each line a VMCS-state
 * case (fresh VMCS, set-up, the line's writes, a forced entry) or a
 * life-cycle case (entrycheck_life.c), judged and printed. */
#include "rig/entrycheck/entrycheck_impl.h"
#include "rig/entrycheck/departures.h"
#include "vmm/fmt.h"
#include "vmm/trace.h"
#include <string.h>

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
		ec_clear(pa);   /* a VMCS the CPU may cache: clear, as before any use */
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
		ec_clear(link); /* out of the CPU before the page goes back */
	for (unsigned i = 0; i < pages.n; i++)
		pagealloc_put(e->pool, pages.pa[i], 1);
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
			trace_hv(TEV_HV_case, "line=%u malformed=%s", line, q);
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
