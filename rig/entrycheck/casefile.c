/* Parsing of differential-mode case lines. */
#include "rig/entrycheck/casefile.h"
#include "vmm/fmt.h"
#include "vmm/shadow/vmcs_shadow.h"
#include "arch/x86/vmx_caps.h"
#include <stddef.h>
#include <string.h>

#define NAME(name) #name,
static const char *const life_names[] = { LIFE_OPS(NAME) };
static const char *const probe_names[] = { CASE_PROBES(NAME) };
static const char *const link_names[] = { CASE_LINKS(NAME) };
static const char *const pdpt_names[] = { CASE_PDPTS(NAME) };
#undef NAME

/* names[v], or "?" past the end. */
static const char *name_of(const char *const *names, unsigned count, unsigned v)
{
	return v < count ? names[v] : "?";
}

const char *life_op_name(enum life_op op)
{
	return name_of(life_names, LIFE_OP_COUNT, op);
}

const char *case_probe_name(enum case_probe p)
{
	return name_of(probe_names, PROBE_COUNT, p);
}

const char *case_link_name(enum case_link l)
{
	return name_of(link_names, LINK_COUNT, l);
}

const char *case_pdpt_name(enum case_pdpt p)
{
	return name_of(pdpt_names, PDPT_COUNT, p);
}

static bool parse_num(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	bool hex = len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	size_t i = hex ? 2 : 0;
	if (i == len || len - i > (hex ? 16u : 20u))
		return false;
	for (; i < len; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (hex && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (hex && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		if (!hex && v > (~0ull - d) / 10)
			return false;
		v = v * (hex ? 16 : 10) + d;
	}
	*out = v;
	return true;
}

static bool parse_outcome(const char *s, size_t len, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	if (len == 2 && !memcmp(s, "ok", 2))
		return true;
	if (len == 14 && !memcmp(s, "vmfail_invalid", 14)) {
		o->kind = OUT_VMFAIL_INVALID;
		return true;
	}
	uint64_t code, qual = 0;
	if (len > 7 && !memcmp(s, "vmfail:", 7) && parse_num(s + 7, len - 7, &code) && code < 64) {
		o->kind = OUT_VMFAIL;
		o->code = (uint32_t)code;
		return true;
	}
	if (len > 10 && !memcmp(s, "entryfail:", 10)) {
		const char *c = s + 10, *colon = memchr(c, ':', len - 10);
		size_t clen = colon ? (size_t)(colon - c) : len - 10;
		if (!parse_num(c, clen, &code) || code > 0xffff)
			return false;
		if (colon && !parse_num(colon + 1, len - 10 - clen - 1, &qual))
			return false;
		o->kind = OUT_ENTRYFAIL;
		o->code = (uint32_t)code;
		o->qual = qual;
		return true;
	}
	return false;
}

static enum vmcs_field parse_field(const char *s, size_t len)
{
	uint64_t enc;
	if (len > 2 && s[0] == '0' && s[1] == 'x')
		return parse_num(s, len, &enc) && enc <= 0xffff ? vmcs_field_by_encoding((uint32_t)enc)
							       : VMCS_FIELD_NONE;
	return vmcs_field_by_name(s, (unsigned)len);
}

static enum case_parse bad(char *err, size_t errlen, const char *what, const char *tok, size_t len)
{
	size_t o = fmt(err, errlen, "%s: ", what);
	for (size_t i = 0; i < len && o + 1 < errlen; i++)
		err[o++] = tok[i];
	err[o < errlen ? o : errlen - 1] = '\0';
	return CASE_BAD;
}

static bool word(const char *v, size_t vlen, const char *w)
{
	return strlen(w) == vlen && !memcmp(v, w, vlen);
}

/* The index of v among names[from..count), or -1. */
static int name_index(const char *const *names, int from, int count, const char *v, size_t vlen)
{
	for (int i = from; i < count; i++)
		if (word(v, vlen, names[i]))
			return i;
	return -1;
}

/* The keys whose value is one word of a list: the enum field it sets in
 * struct ec_case (by offset), the words, the first one allowed (the lists
 * that start with "none" do not take it), and the error. */
struct word_key {
	const char *key;
	const char *const *names;
	int from, count;
	const char *what;
	size_t offset;
};

_Static_assert(sizeof(enum case_probe) == sizeof(int) && sizeof(enum case_link) == sizeof(int) &&
		       sizeof(enum case_pdpt) == sizeof(int) && sizeof(enum life_op) == sizeof(int),
	       "word_keys set their enums as int");

static const struct word_key word_keys[] = {
	{ "probe", probe_names, 0, PROBE_COUNT, "probe= is prot32, long64 or real16", offsetof(struct ec_case, probe) },
	{ "link", link_names, 1, LINK_COUNT, "link= is page, shadow, badrev or current", offsetof(struct ec_case, link) },
	{ "pdpt", pdpt_names, 1, PDPT_COUNT, "pdpt= is zero, present or reserved", offsetof(struct ec_case, pdpt) },
	{ "op", life_names, 1, LIFE_OP_COUNT, "unknown op", offsetof(struct ec_case, life) },
};

/* msrs=INDEX:VALUE[,INDEX:VALUE...], once, 1 to CASE_MAX_MSRS pairs. */
_Static_assert(CASE_MAX_MSRS == 4, "the msrs= error message says 4");
static bool parse_msrs(const char *v, size_t vlen, struct ec_case *c)
{
	if (c->nmsr || !vlen || v[vlen - 1] == ',')
		return false;
	for (size_t i = 0; i < vlen;) {
		size_t j = i;
		while (j < vlen && v[j] != ',')
			j++;
		const char *colon = memchr(v + i, ':', j - i);
		uint64_t idx, val;
		if (c->nmsr == CASE_MAX_MSRS || !colon || !parse_num(v + i, (size_t)(colon - (v + i)), &idx) ||
		    !parse_num(colon + 1, (size_t)(v + j - colon - 1), &val))
			return false;
		c->msr[c->nmsr][0] = idx;
		c->msr[c->nmsr++][1] = val;
		i = j + 1;
	}
	return true;
}

static enum case_parse parse_token(const char *t, size_t len, struct ec_case *c, bool *has_expect,
				   char *err, size_t errlen)
{
	const char *eq = memchr(t, '=', len);
	if (!eq || eq == t)
		return bad(err, errlen, "not FIELD=VALUE", t, len);
	size_t klen = (size_t)(eq - t);
	const char *v = eq + 1;
	size_t vlen = len - klen - 1;
	if (klen == 6 && !memcmp(t, "expect", 6)) {
		if (!parse_outcome(v, vlen, &c->expect))
			return bad(err, errlen, "bad expect", v, vlen);
		*has_expect = true;
		return CASE_OK;
	}
	if (klen == 9 && !memcmp(t, "ifallowed", 9)) {
		if (c->has_if_allowed || !parse_outcome(v, vlen, &c->if_allowed))
			return bad(err, errlen, "bad ifallowed", v, vlen);
		c->has_if_allowed = true;
		return CASE_OK;
	}
	if (klen == 9 && !memcmp(t, "departure", 9)) {
		if (!vlen || vlen >= sizeof(c->departure))
			return bad(err, errlen, "bad departure", v, vlen);
		memcpy(c->departure, v, vlen);
		c->departure[vlen] = '\0';
		return CASE_OK;
	}
	if (klen == 5 && !memcmp(t, "entry", 5)) {
		if (!word(v, vlen, "launch") && !word(v, vlen, "resume"))
			return bad(err, errlen, "entry= is launch or resume", v, vlen);
		c->resume = word(v, vlen, "resume");
		return CASE_OK;
	}
	if (klen == 4 && !memcmp(t, "msrs", 4))
		return parse_msrs(v, vlen, c) ? CASE_OK : bad(err, errlen, "msrs= is 1-4 INDEX:VALUE pairs, once", v, vlen);
	for (unsigned k = 0; k < sizeof(word_keys) / sizeof(word_keys[0]); k++) {
		const struct word_key *w = &word_keys[k];
		if (klen != strlen(w->key) || memcmp(t, w->key, klen))
			continue;
		int i = name_index(w->names, w->from, w->count, v, vlen);
		if (i < 0)
			return bad(err, errlen, w->what, v, vlen);
		*(int *)(void *)((char *)c + w->offset) = i;
		return CASE_OK;
	}
	enum case_op op = CASE_SET;
	char last = t[klen - 1];
	if (last == '|' || last == '&' || last == '^') {
		op = last == '|' ? CASE_OR : last == '&' ? CASE_AND : CASE_XOR;
		klen--;
	}
	enum vmcs_field f = parse_field(t, klen);
	if (f == VMCS_FIELD_NONE)
		return bad(err, errlen, "unknown field", t, klen);
	if (vmcs_field_table[f].kind == RO)
		return bad(err, errlen, "read-only field", t, klen);
	uint64_t val;
	if (!parse_num(v, vlen, &val))
		return bad(err, errlen, "bad value", v, vlen);
	if (c->nw == CASE_MAX_WRITES)
		return bad(err, errlen, "too many writes (at most 32)", t, len);
	c->w[c->nw++] = (struct case_write){ f, op, val };
	return CASE_OK;
}

enum case_parse case_parse_line(const char *line, size_t len, struct ec_case *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	err[0] = '\0';
	const char *hash = memchr(line, '#', len);
	if (hash)
		len = (size_t)(hash - line);
	bool has_expect = false, any = false;
	for (size_t i = 0; i < len;) {
		while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
			i++;
		size_t s = i;
		while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			i++;
		if (i == s)
			break;
		any = true;
		if (parse_token(line + s, i - s, c, &has_expect, err, errlen) == CASE_BAD)
			return CASE_BAD;
	}
	if (!any)
		return CASE_EMPTY;
	if (!has_expect)
		return bad(err, errlen, "missing expect=", "", 0);
	bool state = c->nw || c->link != LINK_none || c->pdpt != PDPT_none || c->nmsr;
	if (c->life != LIFE_OP_none && (state || c->resume || c->probe != PROBE_prot32))
		return bad(err, errlen, "op= cannot be combined with field writes, entry=, probe=, link=, pdpt= or msrs=",
			   "", 0);
	if (c->life == LIFE_OP_none && !state)
		return bad(err, errlen, "no field writes", "", 0);
	for (unsigned i = 0; c->nmsr && i < c->nw; i++)
		if (c->w[i].field == VMCS_entry_msr_load_count || c->w[i].field == VMCS_entry_msr_load_addr)
			return bad(err, errlen, "msrs= sets the MSR-load area itself", "", 0);
	return CASE_OK;
}

size_t outcome_format(const struct outcome *o, char *buf, size_t size)
{
	switch (o->kind) {
	case OUT_OK:
		return fmt(buf, size, "ok");
	case OUT_VMFAIL:
		return fmt(buf, size, "vmfail:%u", o->code);
	case OUT_VMFAIL_INVALID:
		return fmt(buf, size, "vmfail_invalid");
	case OUT_ENTRYFAIL:
		if (o->qual)
			return fmt(buf, size, "entryfail:%u:%llu", o->code, (unsigned long long)o->qual);
		return fmt(buf, size, "entryfail:%u", o->code);
	default:
		return fmt(buf, size, "error");
	}
}

bool outcome_equal(const struct outcome *a, const struct outcome *b)
{
	return a->kind == b->kind && a->code == b->code && a->qual == b->qual;
}

uint64_t case_apply(enum case_op op, uint64_t old, uint64_t v)
{
	switch (op) {
	case CASE_OR:  return old | v;
	case CASE_AND: return old & v;
	case CASE_XOR: return old ^ v;
	default:       return v;
	}
}

/* Whether the capability MSRs allow every control this VMCS leaves set
 * (ifallowed= cases: their expectation depends on the CPU model). */
static bool ctl_allowed(struct vmx_ctl_cap cap, uint64_t v)
{
	return (v & cap.must_be_1) == cap.must_be_1 && !(v & ~(uint64_t)cap.may_be_1);
}

bool case_controls_allowed(const struct vmx_caps *caps, const struct vmcs_shadow *s)
{
	uint64_t proc = shadow_get(s, VMCS_proc_controls);
	return ctl_allowed(caps->pin, shadow_get(s, VMCS_pin_controls)) && ctl_allowed(caps->proc, proc) &&
	       (!(proc & (1ull << 31)) || ctl_allowed(caps->proc2, shadow_get(s, VMCS_proc_controls2))) &&
	       ctl_allowed(caps->exit, shadow_get(s, VMCS_exit_controls)) &&
	       ctl_allowed(caps->entry, shadow_get(s, VMCS_entry_controls));
}
