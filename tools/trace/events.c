/* Event schemas copied from the tables in docs/TRACE.md.
 *
 * A schema is a list of key specs separated by spaces:
 *   key          any value
 *   key=num      decimal or 0x hex number
 *   key=hex      0x hex number
 *   key=a|b|c:*  one of the words; `c:*` is any value starting with `c:`
 *   ?key...      the key is optional
 */
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

#define COUNTER_KEYS "entries=num launches=num resumes=num exits=num " \
	"checks_full=num checks_dirty=num pmr_hits=num pmr_misses=num " \
	"pmr_allocs=num pmr_evicts=num pmr_flushes=num pmr_invalidates=num " \
	"pmr_miss_bytes=num"

static const struct event_schema hv_events[] = {
	{ "boot", "path=multiboot2|uefi mem ranges=num ?casefile=num cmdline ?version" },
	{ "cpu", "vendor vmx=0|1 feature_control=hex vmcs_rev=hex ept=0|1 ug=0|1 vpid=0|1 ptimer=0|1 ?save_ptimer=0|1 ?maxphyaddr=num ?linaddr=num ?rtm=0|1 ?cet=0|1" },
	{ "novmx", "reason hint" },
	{ "config", "vms policy=first|threshold:*|history slots=num quantum=num" },
	{ "vmxon", "status=ok|vmfail_invalid|vmfail_valid ?error=num" },
	{ "vmx_selftest", "setup=ok|vmfail_invalid|vmfail_valid write_bad read_bad write_ro misc29=0|1 "
			  "roundtrip=ok|fail no_current result=ok|fail" },
	{ "vmxoff", "status=ok" },
	{ "error", "what" },
	{ "exception", "vector=num error=hex rip=hex cr2=hex" },
	/* "Keys missing in the summary are not errors". */
	{ "summary", "?vms=num ?entries=num ?launches=num ?resumes=num ?exits=num "
		     "?checks_full=num ?checks_dirty=num ?pmr_hits=num ?pmr_misses=num "
		     "?pmr_allocs=num ?pmr_evicts=num ?pmr_flushes=num "
		     "?pmr_invalidates=num ?pmr_miss_bytes=num" },
	{ "halt", "status=ok|fail" },
	{ "costs", "reason exits=num vmreads=num vmwrites=num" },
	{ "timing", "boot_to_first_entry=num validate_full_tsc=num validate_dirty_tsc=num ?fast_entries=num ?replay_entries=num" },
	{ "case", "line=num ?result=agree|disagree|departure|wrong|error ?shadow ?check ?sdm ?cpu ?expect "
		  "?departure ?entry=resume ?probe=long64|real16 ?link=page|shadow|badrev|current ?pdpt=zero|present|reserved ?msrs ?writes ?op ?malformed" },
	{ "entrycheck", "mode=file|random|random_resume cases=num agree=num disagree=num departures=num wrong=num "
			"malformed=num errors=num skipped=num" },
	{ NULL, NULL },
};

static const struct event_schema vm_events[] = {
	{ "create", "guest mem mode=real16|prot32|long64 entry=hex" },
	{ "vmclear", "kind=first|last status=ok|vmfail_invalid|vmfail_valid ?error=num "
		     "pmr=none|flush,free|flush|free" },
	{ "vmptrld", "why=first|switch status" },
	{ "vmwrite", "field value=hex status pmr=none|invalidate" },
	{ "entry", "n=num kind=first|subsequent insn=vmlaunch|vmresume checks=all|dirty "
		   "ran=num ?dirty verdict=ok|vmfail:*|entryfail:* pmr=hit|miss load=num" },
	{ "entryfail", "n=num insn=vmlaunch|vmresume status=vmfail|vmfail_invalid|entryfail ?error=num "
		       "?reason ?qual" },
	{ "refuse", "insn why" },
	{ "exit", "n=num reason rip=hex ?len=num ?qual=hex ?tsc=num" },
	{ "hypercall", "nr=num name ret=hex" },
	{ "inject", "vector=num why ?error=hex" },
	{ "disagree", "n=num shadow cpu=ok|vmfail|entryfail" },
	{ "error", "what" },
	{ "out", "text" },
	{ "out_dropped", "lines=num bytes=num" },
	{ "pmr", "op=alloc|evict|flush|free slot=num ?by=num" },
	{ "end", "status=done|stopped ?why" },
	{ "stats", COUNTER_KEYS },
	{ NULL, NULL },
};

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

/* Does value match one of the `|`-separated alternatives in [a, a_end)? */
static int matches_words(const struct trace_token *t, const char *a, const char *a_end)
{
	while (a < a_end) {
		const char *bar = memchr(a, '|', (size_t)(a_end - a));
		size_t n = (size_t)((bar ? bar : a_end) - a);

		if (n >= 2 && a[n - 1] == '*') {
			if (t->val_len >= n - 1 && memcmp(t->val, a, n - 1) == 0)
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

int trace_event_validate(const struct trace_event *ev, char *why, size_t n)
{
	const struct event_schema *s = ev->is_hv ? hv_events : vm_events;
	const char *p;

	while (s->name && strcmp(s->name, ev->name) != 0)
		s++;
	if (!s->name) {
		char name[41];
		size_t i;

		for (i = 0; i + 1 < sizeof(name) && ev->name[i]; i++)
			name[i] = printable(ev->name[i]);
		name[i] = '\0';
		snprintf(why, n, "unknown event %s ev=%s", ev->is_hv ? "hv" : "vm=N", name);
		return -1;
	}
	for (p = s->keys; *p;) {
		const char *sp = strchr(p, ' ');
		size_t len = sp ? (size_t)(sp - p) : strlen(p);

		if (check_key(ev, p, len, why, n))
			return -1;
		p += len + (sp != NULL);
	}
	return 0;
}
