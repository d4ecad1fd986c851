/* Private to entrycheck.c and entrycheck_random.c: the steps a case is
 * made of (a fresh VMCS on a probe, a launch to its HLT exit, the writes,
 * the shadow's full verdict with what it forgot read from the CPU) and how
 * a case is judged and printed. */
#ifndef VMM_ENTRYCHECK_IMPL_H
#define VMM_ENTRYCHECK_IMPL_H
#include "entrycheck.h"
#include "casefile.h"
#include "shadow/validate.h"

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
struct outcome from_entry(const struct entry_result *r);
/* "entry=resume probe=long64 " as a case applies, for its line, into buf. */
void case_words(char *buf, size_t size, bool resume, enum case_probe probe, enum case_link link,
		enum case_pdpt pdpt);
/* agree, disagree, departure, wrong or error, counted into t. */
const char *classify(const struct outcome *shadow, const struct outcome *cpu, const struct outcome *expect,
		     bool departure, struct ec_totals *t);
void trace_case(unsigned line, const char *what, const struct outcome *shadow, const struct entry_result *r,
		const struct outcome *cpu, const struct outcome *expect, const char *dep, const char *result);

#endif
