/* svtrace's event schemas: the rows of vmm/trace_events.def, which also
 * makes the hypervisor's event names and the tables of docs/TRACE.md; its
 * header comment describes the key-spec syntax checked here. */
#include "events.h"

#include <stdio.h>
#include <string.h>

const char *const trace_counter_names[C_COUNT] = {
#define TRACE_COUNTER_NAME(name) #name,
	TRACE_COUNTERS(TRACE_COUNTER_NAME)
#undef TRACE_COUNTER_NAME
};

struct event_schema {
	const char *name;
	const char *keys;
};

/* Both scopes' rows, each table ending in { NULL, NULL }. An event with
 * several shapes has several rows of one name (TRACE_SHAPE). */
#define SCHEMA_ROW_hv_hv(name, keys) { #name, keys },
#define SCHEMA_ROW_hv_vm(name, keys)
#define SCHEMA_ROW_vm_hv(name, keys)
#define SCHEMA_ROW_vm_vm(name, keys) { #name, keys },
#define TRACE_SHAPE(scope, name, keys, meaning) TRACE_EVENT(scope, name, keys, meaning)

static const struct event_schema hv_events[] = {
#define TRACE_EVENT(scope, name, keys, meaning) SCHEMA_ROW_hv_##scope(name, keys)
#include "../../vmm/trace_events.def"
#undef TRACE_EVENT
	{ NULL, NULL },
};

static const struct event_schema vm_events[] = {
#define TRACE_EVENT(scope, name, keys, meaning) SCHEMA_ROW_vm_##scope(name, keys)
#include "../../vmm/trace_events.def"
#undef TRACE_EVENT
	{ NULL, NULL },
};
#undef TRACE_SHAPE

size_t trace_schema_rows(int is_hv)
{
	const struct event_schema *s = is_hv ? hv_events : vm_events;
	size_t n = 0;

	while (s[n].name)
		n++;
	return n;
}

static char printable(char c)
{
	return (unsigned char)c < 0x20 || (unsigned char)c >= 0x7f ? '?' : c;
}

static int is_hex(const struct trace_token *t)
{
	uint64_t n;

	return t->val_len > 2 && t->val[0] == '0' && t->val[1] == 'x' &&
	       trace_parse_num(t->val, t->val_len, &n) == 0;
}

/* Where a word alternative's placeholder starts (a capital letter, `"` or
 * `*`), or n if it has none. */
static size_t placeholder_at(const char *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((a[i] >= 'A' && a[i] <= 'Z') || a[i] == '"' || a[i] == '*')
			break;
	return i;
}

/* Does value match one of the `|`-separated alternatives in [a, a_end)?
 * An alternative with a placeholder matches any value starting with the
 * text before the placeholder. */
static int matches_words(const struct trace_token *t, const char *a, const char *a_end)
{
	while (a < a_end) {
		const char *bar = memchr(a, '|', (size_t)(a_end - a));
		size_t n = (size_t)((bar ? bar : a_end) - a);
		size_t p = placeholder_at(a, n);

		if (p < n) {
			if (t->val_len >= p && memcmp(t->val, a, p) == 0)
				return 1;
		} else if (t->val_len == n && memcmp(t->val, a, n) == 0) {
			return 1;
		}
		a = bar ? bar + 1 : a_end;
	}
	return 0;
}

static int check_key(const struct trace_event *ev, const char *spec, size_t len,
		     char *why, size_t n)
{
	char key[64];
	const char *end = spec + len;
	const char *eq = memchr(spec, '=', len);
	const char *form = eq ? eq + 1 : spec + len;
	size_t klen = (size_t)((eq ? eq : spec + len) - spec);
	const struct trace_token *t;
	int optional = spec[0] == '?';

	spec += optional;
	klen -= (size_t)optional;
	if (klen >= sizeof(key))
		klen = sizeof(key) - 1;
	memcpy(key, spec, klen);
	key[klen] = '\0';
	t = trace_get(ev, key);
	if (!t) {
		if (optional)
			return 0;
		snprintf(why, n, "ev=%s without %s=", ev->name, key);
		return -1;
	}
	if (!eq)
		return 0;
	len = (size_t)(end - form);
	if (len == 3 && memcmp(form, "num", 3) == 0) {
		uint64_t v;

		if (trace_parse_num(t->val, t->val_len, &v) == 0)
			return 0;
	} else if (len == 3 && memcmp(form, "hex", 3) == 0) {
		if (is_hex(t))
			return 0;
	} else if (matches_words(t, form, form + len)) {
		return 0;
	}
	{
		char val[41];
		size_t i;

		for (i = 0; i < t->val_len && i + 1 < sizeof(val); i++)
			val[i] = printable(t->val[i]);
		val[i] = '\0';
		snprintf(why, n, "ev=%s %s=%s is not %.*s", ev->name, key, val, (int)len, form);
	}
	return -1;
}

/* Checks ev against one schema's keys; *passed counts the keys that passed
 * before the first that did not. */
static int check_keys(const struct trace_event *ev, const char *keys, int *passed,
		      char *why, size_t n)
{
	const char *p;

	*passed = 0;
	for (p = keys; *p;) {
		const char *sp = strchr(p, ' ');
		size_t len = sp ? (size_t)(sp - p) : strlen(p);

		if (check_key(ev, p, len, why, n))
			return -1;
		++*passed;
		p += len + (sp != NULL);
	}
	return 0;
}

/* An event with several shapes is valid if one of them accepts it;
 * otherwise the reason is the one of the shape that got furthest. */
int trace_event_validate(const struct trace_event *ev, char *why, size_t n)
{
	const struct event_schema *s = ev->is_hv ? hv_events : vm_events;
	int best = -1, found = 0;
	char reason[256];

	for (; s->name; s++) {
		int passed;

		if (strcmp(s->name, ev->name) != 0)
			continue;
		found = 1;
		if (check_keys(ev, s->keys, &passed, reason, sizeof(reason)) == 0)
			return 0;
		if (passed > best) {
			best = passed;
			snprintf(why, n, "%s", reason);
		}
	}
	if (!found) {
		char name[41];
		size_t i;

		for (i = 0; i + 1 < sizeof(name) && ev->name[i]; i++)
			name[i] = printable(ev->name[i]);
		name[i] = '\0';
		snprintf(why, n, "unknown event %s ev=%s", ev->is_hv ? "hv" : "vm=N", name);
	}
	return -1;
}
