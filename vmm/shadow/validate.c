/* Full and incremental VM-entry validation over the entry-check table.
 * Incremental validation is sound because every check declares the fields
 * it reads (check_field flags any it did not): a check none of whose
 * fields changed since it last passed still passes. */
#include "validate.h"
#include "entry_checks.h"
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

static void verdict_ok(struct verdict *v)
{
	v->kind = VERDICT_OK;
	v->code = 0;
	v->qual = 0;
	v->check = NULL;
	v->field = VMCS_FIELD_NONE;
	v->value = 0;
}

/* Run one check; on failure fill in the verdict and return false. */
static bool run_check(struct check_ctx *c, const struct entry_check *chk, struct verdict *v)
{
	c->current = chk;
	c->bad_field = VMCS_FIELD_NONE;
	bool ok = chk->ok(c);
	c->current = NULL;
	if (ok)
		return true;
	v->kind = chk->kind;
	v->code = chk->code;
	v->qual = chk->qual;
	v->check = chk;
	v->field = c->bad_field;
	v->value = c->bad_field == VMCS_FIELD_NONE ? 0 : shadow_get(c->s, c->bad_field);
	return false;
}

#define CHECK_WORDS 4   /* up to 256 checks (indices fit a uint8_t) */

/* For every field, the set of checks that read it: the inverse of the
 * table's reads[] lists, built once. VMRESUME's validation then costs a
 * few instructions per dirty field instead of a walk over every check. */
static uint64_t readers[VMCS_FIELD_COUNT][CHECK_WORDS];
static const struct entry_check *rows[CHECK_WORDS * 64];   /* the table, flat */
static bool readers_built;

static void build_readers(void)
{
	unsigned n = entry_check_count();
	for (unsigned i = 0; i < n && i < CHECK_WORDS * 64; i++) {
		const struct entry_check *chk = entry_check_at(i);
		rows[i] = chk;
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
		if (!run_check(c, entry_check_at(i), v))
			break;
	}
	return ran;
}

/* The check list of the last dirty set seen, in table order: a VM that
 * keeps writing the same fields between entries (RIP after every CPUID)
 * reuses it. memo_dirty starts empty, and so does the list: consistent. */
static uint64_t memo_dirty[SHADOW_WORDS];
static uint8_t memo_list[CHECK_WORDS * 64];
static unsigned memo_len;

static void memo_build(const uint64_t *dirty)
{
	uint64_t sel[CHECK_WORDS] = { 0 };
	for (unsigned w = 0; w < SHADOW_WORDS; w++) {
		memo_dirty[w] = dirty[w];
		for (uint64_t d = dirty[w]; d; d &= d - 1) {
			unsigned f = w * 64 + (unsigned)__builtin_ctzll(d);
			for (unsigned k = 0; k < CHECK_WORDS; k++)
				sel[k] |= readers[f][k];
		}
	}
	memo_len = 0;
	for (unsigned k = 0; k < CHECK_WORDS; k++)
		for (uint64_t m = sel[k]; m; m &= m - 1)
			memo_list[memo_len++] = (uint8_t)(k * 64 + (unsigned)__builtin_ctzll(m));
}

unsigned validate_dirty(struct check_ctx *c, struct verdict *v)
{
	if (__builtin_expect(!readers_built, 0))
		build_readers();
	uint64_t differ = 0;
	for (unsigned w = 0; w < SHADOW_WORDS; w++)
		differ |= memo_dirty[w] ^ c->s->dirty[w];
	if (differ)
		memo_build(c->s->dirty);
	verdict_ok(v);
	/* Same order as the table: the first failing check wins, as in full. */
	for (unsigned i = 0; i < memo_len; i++)
		if (!run_check(c, rows[memo_list[i]], v))
			return i + 1;
	return memo_len;
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
