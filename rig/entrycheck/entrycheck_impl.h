/* Private to the differential mode (rig/entrycheck/): the probes and pool
 * a run works with, its totals, the two ways cases come (a case file, random
 * mutations), and the steps a case is made of (a fresh VMCS on a probe, a
 * launch to its HLT exit, the writes, the shadow's full verdict with what
 * it forgot read from the CPU) and how a case is judged and printed. */
#ifndef RIG_ENTRYCHECK_IMPL_H
#define RIG_ENTRYCHECK_IMPL_H
#include "rig/entrycheck/entrycheck.h"
#include "rig/entrycheck/casefile.h"
#include "vmm/notify.h"
#include "vmm/pagealloc.h"
#include "vmm/shadow/validate.h"

struct ec_env {
	struct notify *n;
	struct vm *probe[PROBE_COUNT]; /* by mode (casefile.h), created, never entered yet */
	struct pagealloc *pool;
	uint64_t vmxon_pa;
	uint32_t revision;
	/* VMLAUNCH/VMRESUME right after a MOV SS (arch/x86/vmx.h), for the
	 * op=vm*_movss cases; NULL where there is none (host unit tests). */
	struct vmx_result (*enter_after_movss)(struct guest_regs *regs, bool launch);
};

struct ec_totals {
	unsigned cases, agree, disagree, departures, wrong, malformed, errors, skipped;
};

/* Every case of a case file, in order (entrycheck_file.c). */
void entrycheck_file(struct ec_env *e, const char *text, size_t len, struct ec_totals *t);
/* Every other case on the 64-bit probe; resume: each case after a VM exit
 * of a launched probe, a VMRESUME (entrycheck_random.c). */
void entrycheck_random(struct ec_env *e, uint64_t seed, unsigned count, bool resume, struct ec_totals *t);
/* "random:SEED:COUNT" or "random:SEED:COUNT:resume" -> seed, count, resume. */
bool entrycheck_parse_random(const char *spec, unsigned len, uint64_t *seed, unsigned *count, bool *resume);
/* One life-cycle case (op=) on the 32-bit probe (entrycheck_life.c). */
void run_life_case(struct ec_env *e, enum life_op op, struct outcome *shadow, struct outcome *cpu);

/* A fresh VMCS for the next case on probe vm (first entry next). */
bool fresh_vmcs(struct ec_env *e, struct vm *vm);
/* Launch vm's fresh VMCS: true when the probe exited on its HLT. */
bool launch_to_hlt(struct ec_env *e, struct vm *vm);
/* Apply the writes to vm's VMCS (current); desc lists them. */
bool apply_writes(struct ec_env *e, struct vm *vm, const struct case_write *w, unsigned nw, char *desc,
		  size_t size);
/* The full verdict on vm's VMCS, reading what the shadow forgot. */
void full_verdict(struct ec_env *e, struct vm *vm, struct verdict *v);
struct outcome from_verdict(const struct verdict *v);
struct outcome from_vmx(struct vmx_result r);
struct outcome from_entry(const struct entry_result *r);
/* "entry=resume probe=long64 " as a case applies, for its line, into buf. */
void case_words(char *buf, size_t size, bool resume, enum case_probe probe, enum case_link link,
		enum case_pdpt pdpt);
/* agree, disagree, departure, wrong or error, counted into t. */
const char *classify(const struct outcome *shadow, const struct outcome *cpu, const struct outcome *expect,
		     bool departure, struct ec_totals *t);
void trace_case(unsigned line, const char *what, const struct outcome *shadow, const struct entry_result *r,
		const struct outcome *cpu, const struct outcome *expect, const char *dep, const char *result);

/* VMCLEAR of a page a case used, before it goes back to the pool or is
 * used as a VMCS: a failure (the page was never a VMCS the CPU knew)
 * leaves nothing to undo. */
static inline void ec_clear(uint64_t pa)
{
	struct vmx_result r = vmx_clear(pa);
	(void)r;
}

#endif
