/* Incremental validation, inline: the hypervisor's hot path (a VMRESUME
 * after a CPUID exit) runs it on every entry. The list comes from
 * validate_memo while the dirty set is the same as last time, otherwise
 * validate_dirty_slow rebuilds it. Pure C. */
#ifndef SHADOW_VALIDATE_DIRTY_H
#define SHADOW_VALIDATE_DIRTY_H
#include "vmm/shadow/validate.h"
#include "vmm/shadow/entry_checks.h"

/* Run one check; on failure fill in the verdict and return false. */
static inline bool validate_run(struct check_ctx *c, const struct entry_check *chk, struct verdict *v)
{
	c->current = chk;
	c->bad_field = VMCS_FIELD_NONE;
	if (!chk->ok(c))
		return validate_fail(c, chk, v);
	c->current = NULL;
	return true;
}

/* Only the checks that read at least one dirty field, in table order,
 * stopping at the first failure. Returns the number of checks run. */
static inline unsigned validate_dirty(struct check_ctx *c, struct verdict *v)
{
	const struct validate_memo *m = &validate_memo;
	uint64_t differ = 0;
	for (unsigned w = 0; w < SHADOW_WORDS; w++)
		differ |= m->dirty[w] ^ c->s->dirty[w];
	if (differ)
		return validate_dirty_slow(c, v);
	verdict_ok(v);
	for (unsigned i = 0; i < m->len; i++)
		if (!validate_run(c, m->list[i], v))
			return i + 1;
	return m->len;
}

/* The memo holds the checks of exactly guest RIP's dirty bit, and they
 * are the one row only: the replay's steady state (vmm/fastpath/). */
static inline bool validate_memo_only(enum vmcs_field f, const struct entry_check *only)
{
	const struct validate_memo *m = &validate_memo;
	uint64_t want[SHADOW_WORDS] = { 0 };
	shadow_bit_set(want, f);
	for (unsigned w = 0; w < SHADOW_WORDS; w++)
		if (m->dirty[w] != want[w])
			return false;
	return m->len == 1 && m->list[0] == only;
}

#endif
