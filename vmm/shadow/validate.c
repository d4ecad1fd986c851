/* Full and incremental VM-entry validation over the entry-check table.
 * Incremental validation is sound because every check declares the fields
 * it reads (check_field flags any it did not): a check none of whose
 * fields changed since it last passed still passes. */
#include "vmm/shadow/validate.h"
#include "vmm/shadow/validate_dirty.h"
#include "vmm/shadow/entry_checks.h"
#include <string.h>

uint64_t check_field_slow(struct check_ctx *c, enum vmcs_field f)
{
	if (!c->no_audit && c->current && !entry_check_reads(c->current, f))
		c->undeclared_read = true;
	if (!shadow_known(c->s, f)) {
		if (!c->fetch)
			return 0;
		shadow_fill(c->s, f, c->fetch(c->opaque, f));
	}
	return shadow_get(c->s, f);
}

bool validate_fail(struct check_ctx *c, const struct entry_check *chk, struct verdict *v)
{
	c->current = NULL;
	v->kind = chk->kind;
	v->code = chk->code;
	v->qual = chk->qual_varies ? c->bad_qual : chk->qual;
	v->detail = chk->qual_varies ? c->bad_detail : 0;
	v->check = chk;
	v->field = c->bad_field;
	v->value = c->bad_field == VMCS_FIELD_NONE ? 0 : shadow_get(c->s, c->bad_field);
	return false;
}

#define CHECK_WORDS (VALIDATE_MAX_CHECKS / 64)

/* For every field, the set of checks that read it: the inverse of the
 * table's reads[] lists, built once. VMRESUME's validation then costs a
 * few instructions per dirty field instead of a walk over every check. */
static uint64_t readers[VMCS_FIELD_COUNT][CHECK_WORDS];
const struct entry_check *validate_rows[VALIDATE_MAX_CHECKS];   /* the table, flat */
static bool readers_built;

static void build_readers(void)
{
	unsigned n = entry_check_count();
	for (unsigned i = 0; i < n && i < VALIDATE_MAX_CHECKS; i++) {
		const struct entry_check *chk = entry_check_at(i);
		validate_rows[i] = chk;
		for (unsigned r = 0; r < ENTRY_CHECK_MAX_READS && chk->reads[r] != VMCS_FIELD_NONE; r++)
			readers[chk->reads[r]][i / 64] |= 1ull << (i % 64);
	}
	readers_built = true;
}

unsigned validate_full(struct check_ctx *c, struct verdict *v)
{
	unsigned ran = 0, n = entry_check_count();
	verdict_ok(v);
	for (unsigned i = 0; i < n; i++) {
		ran++;
		if (!validate_run(c, entry_check_at(i), v))
			break;
	}
	return ran;
}

void validate_init(void)
{
	if (!readers_built)
		build_readers();
}

struct validate_memos validate_memo_shared;   /* every set empty: consistent */

/* The list of the checks that read at least one field of dirty, in table
 * order: the first failing check wins, as in full validation. */
static void build_list(struct validate_memo *m, const uint64_t dirty[SHADOW_WORDS])
{
	uint64_t sel[CHECK_WORDS] = { 0 };
	if (!readers_built)
		build_readers();
	for (unsigned w = 0; w < SHADOW_WORDS; w++) {
		m->dirty[w] = dirty[w];
		for (uint64_t d = dirty[w]; d; d &= d - 1) {
			unsigned f = w * 64 + (unsigned)__builtin_ctzll(d);
			for (unsigned k = 0; k < CHECK_WORDS; k++)
				sel[k] |= readers[f][k];
		}
	}
	m->len = 0;
	for (unsigned k = 0; k < CHECK_WORDS; k++)
		for (uint64_t b = sel[k]; b; b &= b - 1)
			m->idx[m->len++] = (uint8_t)(k * 64 + (unsigned)__builtin_ctzll(b));
}

unsigned validate_dirty_slow(struct check_ctx *c, struct validate_memos *ms, struct verdict *v)
{
	unsigned i;
	for (i = 0; i < VALIDATE_MEMO_SETS; i++)
		if (validate_memo_is(&ms->set[i], c->s->dirty))
			break;
	if (i == VALIDATE_MEMO_SETS) {      /* a new set replaces the oldest built */
		i = ms->next;
		ms->next = (uint8_t)((i + 1) % VALIDATE_MEMO_SETS);
		build_list(&ms->set[i], c->s->dirty);
		ms->rebuilds++;
	}
	ms->last = (uint8_t)i;
	return validate_dirty(c, v);
}

/* Append s to buf at *len, truncating but always counting. */
static void put(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
	if (*len + 1 < size) {
		size_t room = size - 1 - *len;
		memcpy(buf + *len, s, n < room ? n : room);
	}
	*len += n;
}

size_t verdict_format(const struct verdict *v, char *buf, size_t size)
{
	static const char *const kinds[] = { "ok", "vmfail", "entryfail" };
	const char *k = kinds[v->kind];
	size_t len = 0;
	put(buf, size, &len, k, strlen(k));
	if (v->kind != VERDICT_OK) {
		char digits[10];
		unsigned n = 0;
		uint32_t x = v->code;
		do {
			digits[sizeof(digits) - 1 - n++] = (char)('0' + x % 10);
			x /= 10;
		} while (x);
		put(buf, size, &len, ":", 1);
		put(buf, size, &len, digits + sizeof(digits) - n, n);
	}
	if (size)
		buf[len < size ? len : size - 1] = '\0';
	return len;
}
