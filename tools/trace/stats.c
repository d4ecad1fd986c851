#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void stats_init(struct trace_stats *s)
{
	memset(s, 0, sizeof(*s));
}

void stats_free(struct trace_stats *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->vm[i]);
	free(s->vm);
	memset(s, 0, sizeof(*s));
}

void stats_copy_name(char *dst, size_t n, const char *src, size_t len)
{
	size_t i;

	if (len > n - 1)
		len = n - 1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	dst[len] = '\0';
}

struct vm_stats *stats_vm(const struct trace_stats *s, unsigned id)
{
	return id < s->cap ? s->vm[id] : NULL;
}

static struct vm_stats *vm_get(struct trace_stats *s, unsigned id)
{
	struct vm_stats *v;

	if (id >= s->cap) {
		size_t cap = s->cap ? s->cap : 16;
		struct vm_stats **p;

		while (cap <= id)
			cap *= 2;
		p = realloc(s->vm, cap * sizeof(*p));
		if (!p)
			return NULL;
		memset(p + s->cap, 0, (cap - s->cap) * sizeof(*p));
		s->vm = p;
		s->cap = cap;
	}
	if (!s->vm[id]) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return NULL;
		v->id = id;
		strcpy(v->guest, "?");
		s->vm[id] = v;
		s->nvms++;
	}
	return s->vm[id];
}

static void feed_totals(struct trace_stats *s, struct vm_stats *v, const struct trace_event *ev);

static void count(struct trace_stats *s, struct vm_stats *v, enum trace_counter c, uint64_t n)
{
	v->c[c] += n;
	s->total[c] += n;
	s->cpu[s->cur_cpu].c[c] += n;
}

static void count_reason(struct vm_stats *v, const struct trace_token *t)
{
	char name[STATS_NAME_MAX];
	size_t i;

	stats_copy_name(name, sizeof(name), t ? t->val : "?", t ? t->val_len : 1);
	for (i = 0; i < v->nreasons; i++) {
		if (strcmp(v->reasons[i].name, name) == 0) {
			v->reasons[i].n++;
			return;
		}
	}
	if (v->nreasons == STATS_MAX_REASONS) {
		v->other_reasons++;
		return;
	}
	strcpy(v->reasons[v->nreasons].name, name);
	v->reasons[v->nreasons++].n = 1;
}

static void feed_entry(struct trace_stats *s, struct vm_stats *v, const struct trace_event *ev)
{
	uint64_t ran = 0, load = 0;

	count(s, v, C_entries, 1);
	if (trace_is(ev, "insn", "vmlaunch"))
		count(s, v, C_launches, 1);
	else if (trace_is(ev, "insn", "vmresume"))
		count(s, v, C_resumes, 1);
	trace_num(ev, "ran", &ran);
	if (trace_is(ev, "checks", "all"))
		count(s, v, C_checks_full, ran);
	else if (trace_is(ev, "checks", "dirty"))
		count(s, v, C_checks_dirty, ran);
	if (trace_is(ev, "pmr", "hit"))
		count(s, v, C_pmr_hits, 1);
	else if (trace_is(ev, "pmr", "miss"))
		count(s, v, C_pmr_misses, 1);
	if (trace_num(ev, "load", &load) == 0)
		count(s, v, C_pmr_miss_bytes, load);
}

static void feed_end(struct vm_stats *v, const struct trace_event *ev)
{
	const struct trace_token *st = trace_get(ev, "status");
	const struct trace_token *why = trace_get(ev, "why");
	char a[32] = "?", b[60] = "";

	if (st)
		stats_copy_name(a, sizeof(a), st->val, st->val_len);
	if (why)
		stats_copy_name(b, sizeof(b), why->val, why->val_len);
	snprintf(v->ended, sizeof(v->ended), "%s%s%s", a, why ? ": " : "", b);
}

static void feed_hv(struct trace_stats *s, const struct trace_event *ev)
{
	const struct trace_token *t;

	if (strcmp(ev->name, "config") == 0) {
		size_t used = 0, i;

		t = trace_get(ev, "policy");
		if (t)
			stats_copy_name(s->policy, sizeof(s->policy), t->val, t->val_len);
		/* s->config holds a whole line (TRACE_MAX_LINE), so nothing is cut. */
		s->config[0] = '\0';
		for (i = 1; i < ev->ntok; i++) {
			const struct trace_token *k = &ev->tok[i];
			size_t klen = strlen(k->key);

			if (ev->has_cpu && strcmp(k->key, "cpu") == 0)
				continue;   /* who printed it, not the configuration */
			if (used + 1 + klen + 1 + k->val_len + 1 > sizeof(s->config))
				break;
			used += (size_t)snprintf(s->config + used, sizeof(s->config) - used,
						 "%s%s=", used ? " " : "", k->key);
			stats_copy_name(s->config + used, sizeof(s->config) - used, k->val, k->val_len);
			used += k->val_len;
		}
	} else if (strcmp(ev->name, "halt") == 0 && !s->halt[0]) {
		t = trace_get(ev, "status");
		stats_copy_name(s->halt, sizeof(s->halt), t ? t->val : "?", t ? t->val_len : 1);
	}
}

void stats_feed(struct trace_stats *s, const struct trace_event *ev)
{
	struct vm_stats *v;
	const char *n = ev->name;

	s->cur_cpu = ev->cpu < TRACE_MAX_CPU ? ev->cpu : 0;
	s->cpu[s->cur_cpu].events++;
	if (s->cur_cpu >= s->ncpus)
		s->ncpus = s->cur_cpu + 1;
	if (ev->is_hv) {
		feed_hv(s, ev);
		return;
	}
	v = vm_get(s, ev->vm);
	if (!v) {
		s->oom = 1;
		return;
	}
	if (strcmp(n, "entry") == 0) {
		feed_entry(s, v, ev);
	} else if (strcmp(n, "exit") == 0) {
		count(s, v, C_exits, 1);
		count_reason(v, trace_get(ev, "reason"));
	} else if (strcmp(n, "pmr") == 0) {
		if (trace_is(ev, "op", "alloc"))
			count(s, v, C_pmr_allocs, 1);
		else if (trace_is(ev, "op", "evict"))
			count(s, v, C_pmr_evicts, 1);
		else if (trace_is(ev, "op", "flush"))
			count(s, v, C_pmr_flushes, 1);
	} else if (strcmp(n, "vmwrite") == 0) {
		if (trace_is(ev, "pmr", "invalidate"))
			count(s, v, C_pmr_invalidates, 1);
	} else if (strcmp(n, "create") == 0) {
		const struct trace_token *g = trace_get(ev, "guest");

		if (g)
			stats_copy_name(v->guest, sizeof(v->guest), g->val, g->val_len);
	} else if (strcmp(n, "vmclear") == 0) {
		if (trace_is(ev, "kind", "last"))
			v->cleared_last = 1;
		/* a release for a move: the VM leaves this processor, whether or
		 * not it is entered again elsewhere */
		if (trace_is(ev, "kind", "move") && trace_is(ev, "status", "ok") && ev->cpu < TRACE_MAX_CPU) {
			s->cpu[ev->cpu].moves_out++;
			s->ncpus = ev->cpu >= s->ncpus ? ev->cpu + 1 : s->ncpus;
		}
	} else if (strcmp(n, "entryfail") == 0) {
		v->entry_failures++;
	} else if (strcmp(n, "refuse") == 0) {
		v->refusals++;
	} else if (strcmp(n, "move") == 0) {
		uint64_t from, to;

		v->moves++;
		if (trace_num(ev, "from", &from) == 0 && from < TRACE_MAX_CPU)
			s->ncpus = from >= s->ncpus ? (unsigned)from + 1 : s->ncpus;
		if (trace_num(ev, "to", &to) == 0 && to < TRACE_MAX_CPU) {
			s->cpu[to].moves_in++;
			s->ncpus = to >= s->ncpus ? (unsigned)to + 1 : s->ncpus;
		}
	} else if (strcmp(n, "end") == 0) {
		feed_end(v, ev);
	} else if (strcmp(n, "stats") == 0 && v->c[C_entries] == 0) {
		feed_totals(s, v, ev);
	}
}

/* A trace without per-entry lines (trace=summary): a VM's counters are
 * its ev=stats line's, whose keys are the counters' names. */
static void feed_totals(struct trace_stats *s, struct vm_stats *v, const struct trace_event *ev)
{
	for (int c = 0; c < C_COUNT; c++) {
		uint64_t n;

		if (trace_num(ev, trace_counter_names[c], &n) == 0)
			count(s, v, (enum trace_counter)c, n);
	}
}

const char *stats_ending(const struct vm_stats *v)
{
	if (v->ended[0])
		return v->ended;
	return v->cleared_last ? "cleared" : "still running";
}
