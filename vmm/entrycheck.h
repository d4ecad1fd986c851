/* Differential mode: the shadow's verdict held against the CPU's.
 * entrycheck=FILE runs the cases of a case file (vmm/casefile.h), each on
 * a fresh, valid VMCS of the probe guest; entrycheck=random:SEED:COUNT
 * mutates fields of a valid VMCS at random until COUNT cases were compared
 * (with :resume, after the probe's VM exit, for a VMRESUME). Every case:
 * the shadow predicts, the CPU really executes the entry, both are printed
 * and compared. Pure C: the CPU is reached through the notify module's ops. */
#ifndef VMM_ENTRYCHECK_H
#define VMM_ENTRYCHECK_H
#include "notify.h"
#include "casefile.h"
#include "pagealloc.h"

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

void entrycheck_file(struct ec_env *e, const char *text, size_t len, struct ec_totals *t);
/* Every other case on the 64-bit probe; resume: each case after a VM exit
 * of a launched probe, a VMRESUME. */
void entrycheck_random(struct ec_env *e, uint64_t seed, unsigned count, bool resume, struct ec_totals *t);
/* "random:SEED:COUNT" or "random:SEED:COUNT:resume" -> seed, count, resume. */
bool entrycheck_parse_random(const char *spec, unsigned len, uint64_t *seed, unsigned *count, bool *resume);

#endif
