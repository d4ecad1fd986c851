/* Incremental validation, inline: the hypervisor's hot path (a VMRESUME
 * after a CPUID exit) runs it on every entry. The list comes from the
 * VM's memo of its dirty set (struct validate_memos). Pure C. */
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

static inline bool validate_memo_is(const struct validate_memo *e, const uint64_t dirty[SHADOW_WORDS])
{
	uint64_t differ = 0;
	for (unsigned w = 0; w < SHADOW_WORDS; w++)
		differ |= e->dirty[w] ^ dirty[w];
	return !differ;
}

/* Only the checks that read at least one dirty field, in table order,
 * stopping at the first failure. Returns the number of checks run. The
 * list is the VM's memo of the same dirty set as its last validation's;
 * any other set is found or built out of line. */
static inline unsigned validate_dirty(struct check_ctx *c, struct verdict *v)
{
	struct validate_memos *ms = c->memo ? c->memo : &validate_memo_shared;
	const struct validate_memo *m = &ms->set[ms->last];
	if (!validate_memo_is(m, c->s->dirty))
		return validate_dirty_slow(c, ms, v);
	verdict_ok(v);
	for (unsigned i = 0; i < m->len; i++)
		if (!validate_run(c, validate_rows[m->idx[i]], v))
			return i + 1;
	return m->len;
}

/* The last validation's list was for exactly field f's dirty bit, and it
 * is the one row only: the replay's steady state (vmm/fastpath/). */
static inline bool validate_memo_only(const struct validate_memos *ms, enum vmcs_field f,
				      const struct entry_check *only)
{
	const struct validate_memo *m = &ms->set[ms->last];
	uint64_t want[SHADOW_WORDS] = { 0 };
	shadow_bit_set(want, f);
	return validate_memo_is(m, want) && m->len == 1 && validate_rows[m->idx[0]] == only;
}

#endif
