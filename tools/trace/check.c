/* The invariants a shadowvisor trace must keep, one function per event that
 * can break one. Each violation is printed as
 *   svtrace: FILE:LINE: rule-name: explanation
 * and checking goes on, so one run lists them all.
 *
 * Rule names: one-launch, vmptrld-before-switch, redundant-vmptrld,
 * no-entry-after-clear, vmclear-at-end, truncated, dirty-after-launch,
 * counters, malformed, not-a-trace, and the rules of check_life.h and
 * check_cpu.h. The current VMCS is per logical processor: the rules on it
 * follow each line's cpu= (none: processor 0). A trace made with trace=summary (its hv ev=config
 * says so) has no per-entry events: there the counters and the end-of-run
 * rules are skipped, and the ok line says so. */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_cpu.h"
#include "check_life.h"
#include "events.h"
#include "reader.h"
#include "stats.h"

struct vm_check {
	long first_line;        /* 0: VM not seen yet */
	uint64_t entries;
	long launch_line;       /* the vmlaunch entry, 0 if none */
	uint64_t launch_n;
	int launch_ok;          /* verdict=ok and no entryfail for it */
	long launch_fail_line;  /* entryfail of the launch, 0 if none */
	long vmptrld_line;      /* last successful vmptrld of this VM */
	long cleared_line;      /* vmclear kind=last, 0 if none */
};

/* One logical processor's view (cpu= of the lines; SDM Vol. 3C 25.1: the
 * current VMCS is per processor). */
struct cpu_check {
	unsigned prev_vm;       /* VM of its last ev=entry, 0 if none */
	long prev_entry_line;
	unsigned current;       /* VM whose VMCS is current there, 0 if none */
	long current_line;      /* where it became current or stopped being */
};

struct checker {
	const char *file;
	struct trace_stats stats;
	struct vm_check *vm;    /* indexed by id */
	size_t cap;
	struct cpu_check cpu[TRACE_MAX_CPU];
	long halt_line;
	long last_line;
	long violations;
	long valid;             /* events that passed their schema */
	/* hv ev=config trace=summary: the hypervisor left the per-entry
	 * events out, so the rules that count them cannot be checked. */
	int summary_only;
	struct life life;       /* cross-checks of check_life.h */
	struct smp smp;         /* the move rules of check_cpu.h */
};

static void violation(struct checker *ck, long line, const char *rule, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "svtrace: %s:%ld: %s: ", ck->file, line, rule);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ck->violations++;
}

static struct vm_check *vm_state(struct checker *ck, unsigned id, long line)
{
	if (id >= ck->cap) {
		size_t cap = ck->cap ? ck->cap : 16;
		struct vm_check *p;

		while (cap <= id)
			cap *= 2;
		p = realloc(ck->vm, cap * sizeof(*p));
		if (!p) {
			fprintf(stderr, "svtrace: %s:%ld: out of memory\n", ck->file, line);
			exit(1);
		}
		memset(p + ck->cap, 0, (cap - ck->cap) * sizeof(*p));
		ck->vm = p;
		ck->cap = cap;
	}
	if (!ck->vm[id].first_line)
		ck->vm[id].first_line = line;
	return &ck->vm[id];
}

/* Rule one-launch: vmlaunch once, as entry n=1 kind=first; then vmresume,
 * kind=subsequent, n counting up by one. */
static void check_launch_order(struct checker *ck, long line, unsigned id,
			       struct vm_check *v, const struct trace_event *ev, uint64_t n)
{
	int launch = trace_is(ev, "insn", "vmlaunch");

	if (n != v->entries + 1)
		violation(ck, line, "one-launch", "entry n=%llu of VM %u, expected n=%llu",
			  (unsigned long long)n, id, (unsigned long long)(v->entries + 1));
	if (v->entries && smp_move_pending(&ck->smp, id))
		return;   /* the VMLAUNCH after a move: check_cpu's rule */
	if (v->entries == 0) {
		if (!launch)
			violation(ck, line, "one-launch", "first entry of VM %u is not insn=vmlaunch", id);
		if (!trace_is(ev, "kind", "first"))
			violation(ck, line, "one-launch", "first entry of VM %u is not kind=first", id);
		return;
	}
	if (launch && v->launch_line)
		violation(ck, line, "one-launch", "second vmlaunch of VM %u (first at line %ld)",
			  id, v->launch_line);
	else if (launch)
		violation(ck, line, "one-launch", "vmlaunch of VM %u after %llu other entries",
			  id, (unsigned long long)v->entries);
	if (!trace_is(ev, "kind", "subsequent"))
		violation(ck, line, "one-launch", "entry n=%llu of VM %u is not kind=subsequent",
			  (unsigned long long)n, id);
}

/* Rule vmptrld-before-switch: entering X needs X's VMCS current, loaded by
 * a vmptrld since the previous entry when that entry was of another VM or
 * this is X's first. */
static void check_current(struct checker *ck, long line, unsigned id, struct vm_check *v,
			  struct cpu_check *c)
{
	int first = v->entries == 0;

	if ((first || c->prev_vm != id) && v->vmptrld_line <= c->prev_entry_line) {
		if (first)
			violation(ck, line, "vmptrld-before-switch",
				  "first entry of VM %u without a vmptrld status=ok of VM %u before it",
				  id, id);
		else
			violation(ck, line, "vmptrld-before-switch",
				  "entry of VM %u after an entry of VM %u (line %ld) without vmptrld of VM %u in between",
				  id, c->prev_vm, c->prev_entry_line, id);
	} else if (c->current != id) {
		if (c->current)
			violation(ck, line, "vmptrld-before-switch",
				  "entry of VM %u while the current VMCS is VM %u (line %ld)",
				  id, c->current, c->current_line);
		else
			violation(ck, line, "vmptrld-before-switch",
				  "entry of VM %u with no current VMCS (cleared at line %ld)",
				  id, c->current_line);
	}
}

static void on_entry(struct checker *ck, long line, const struct trace_event *ev)
{
	unsigned id = ev->vm;
	struct vm_check *v = vm_state(ck, id, line);
	struct cpu_check *c = &ck->cpu[ev->cpu];
	uint64_t n = 0;

	trace_num(ev, "n", &n);
	if (v->cleared_line)
		violation(ck, line, "no-entry-after-clear",
			  "entry n=%llu of VM %u after its vmclear kind=last at line %ld",
			  (unsigned long long)n, id, v->cleared_line);
	check_launch_order(ck, line, id, v, ev, n);
	check_current(ck, line, id, v, c);
	if (trace_is(ev, "checks", "dirty") && !v->launch_ok) {
		if (!v->launch_line)
			violation(ck, line, "dirty-after-launch",
				  "checks=dirty on entry n=%llu of VM %u, which was never launched",
				  (unsigned long long)n, id);
		else if (v->launch_fail_line)
			violation(ck, line, "dirty-after-launch",
				  "checks=dirty on entry n=%llu of VM %u, whose launch (line %ld) failed at line %ld",
				  (unsigned long long)n, id, v->launch_line, v->launch_fail_line);
		else
			violation(ck, line, "dirty-after-launch",
				  "checks=dirty on entry n=%llu of VM %u, whose launch (line %ld) had no verdict=ok",
				  (unsigned long long)n, id, v->launch_line);
	}
	if (trace_is(ev, "insn", "vmlaunch") && !v->launch_line) {
		v->launch_line = line;
		v->launch_n = n;
		v->launch_ok = trace_is(ev, "verdict", "ok");
	}
	v->entries++;
	/* After a reported mismatch assume the VMM entered X, so that one
	 * missing vmptrld is reported once, not at every later line. */
	c->current = id;
	c->prev_vm = id;
	c->prev_entry_line = line;
}

static void on_entryfail(struct checker *ck, long line, const struct trace_event *ev)
{
	struct vm_check *v = vm_state(ck, ev->vm, line);
	uint64_t n = 0;

	if (v->launch_line && trace_num(ev, "n", &n) == 0 && n == v->launch_n &&
	    !trace_is(ev, "insn", "vmresume") && !v->launch_fail_line) {
		v->launch_ok = 0;
		v->launch_fail_line = line;
	}
}

/* Rule redundant-vmptrld: X is current already (entered last, or loaded,
 * with no other vmptrld or a vmclear of X since). */
static void on_vmptrld(struct checker *ck, long line, const struct trace_event *ev)
{
	struct vm_check *v = vm_state(ck, ev->vm, line);
	struct cpu_check *c = &ck->cpu[ev->cpu];

	if (c->current == ev->vm)
		violation(ck, line, "redundant-vmptrld",
			  "vmptrld of VM %u, whose VMCS is already current (since line %ld)",
			  ev->vm, c->current_line);
	if (trace_is(ev, "status", "ok")) {
		v->vmptrld_line = line;
		c->current = ev->vm;
		c->current_line = line;
	}
}

static void on_vmclear(struct checker *ck, long line, const struct trace_event *ev)
{
	struct vm_check *v = vm_state(ck, ev->vm, line);
	struct cpu_check *c = &ck->cpu[ev->cpu];

	/* VMCLEAR of the current VMCS leaves none current (SDM Vol. 3C 30.3). */
	if (trace_is(ev, "status", "ok") && c->current == ev->vm) {
		c->current = 0;
		c->current_line = line;
	}
	if (trace_is(ev, "kind", "last") && !v->cleared_line)
		v->cleared_line = line;
}

/* Rules vmclear-at-end and one-launch (never launched), at the first halt. */
static void on_halt(struct checker *ck, long line, const struct trace_event *ev)
{
	size_t id;

	if (ck->halt_line)
		return;
	ck->halt_line = line;
	life_halt(&ck->life, line, trace_is(ev, "status", "ok"));
	if (ck->summary_only)
		return;
	for (id = 1; id < ck->cap; id++) {
		struct vm_check *v = &ck->vm[id];

		if (!v->first_line)
			continue;
		if (!v->cleared_line)
			violation(ck, line, "vmclear-at-end",
				  "VM %zu (first seen at line %ld) has no vmclear kind=last before halt",
				  id, v->first_line);
		if (!v->launch_line)
			violation(ck, line, "one-launch",
				  "VM %zu (first seen at line %ld) has no entry with insn=vmlaunch",
				  id, v->first_line);
	}
}

/* Rule counters: each present key equals the count from the events so
 * far; `stats` must carry every counter, `summary` may leave keys out. */
static void check_counters(struct checker *ck, long line, const struct trace_event *ev)
{
	const struct vm_stats *v = ev->is_hv ? NULL : stats_vm(&ck->stats, ev->vm);
	static const uint64_t zero[C_COUNT];
	const uint64_t *want = ev->is_hv ? ck->stats.total : v ? v->c : zero;
	uint64_t got;
	char who[16] = "hv";
	int c;

	if (ck->summary_only)
		return;
	if (!ev->is_hv)
		snprintf(who, sizeof(who), "vm=%u", ev->vm);
	for (c = 0; c < C_COUNT; c++) {
		const char *key = trace_counter_names[c];

		if (trace_num(ev, key, &got) != 0)
			continue;  /* missing in stats is reported as malformed */
		if (got != want[c])
			violation(ck, line, "counters", "%s ev=%s %s=%llu, but the trace has %llu",
				  who, ev->name, key, (unsigned long long)got,
				  (unsigned long long)want[c]);
	}
	if (ev->is_hv && trace_num(ev, "vms", &got) == 0 && got != ck->stats.nvms)
		violation(ck, line, "counters", "hv ev=summary vms=%llu, but the trace has %zu VMs",
			  (unsigned long long)got, ck->stats.nvms);
}

static void on_event(struct checker *ck, long line, const struct trace_event *ev)
{
	const char *n = ev->name;
	char why[160];

	if (trace_event_validate(ev, why, sizeof(why)) != 0) {
		violation(ck, line, "malformed", "%s", why);
		if (strncmp(why, "unknown event", 13) == 0)
			return;
		if (strcmp(n, "stats") == 0 || strcmp(n, "summary") == 0)
			check_counters(ck, line, ev);
		stats_feed(&ck->stats, ev);
		return;
	}
	ck->valid++;
	if (!ev->is_hv)
		vm_state(ck, ev->vm, line);
	if (strcmp(n, "halt") != 0)
		life_event(&ck->life, line, ev);
	if (strcmp(n, "entry") == 0)
		on_entry(ck, line, ev);
	else if (strcmp(n, "entryfail") == 0)
		on_entryfail(ck, line, ev);
	else if (strcmp(n, "vmptrld") == 0)
		on_vmptrld(ck, line, ev);
	else if (strcmp(n, "vmclear") == 0)
		on_vmclear(ck, line, ev);
	else if (strcmp(n, "halt") == 0)
		on_halt(ck, line, ev);
	else if (strcmp(n, "config") == 0 && ev->is_hv)
		ck->summary_only = ck->smp.summary_only = trace_is(ev, "trace", "summary");
	else if (strcmp(n, "stats") == 0 || strcmp(n, "summary") == 0)
		check_counters(ck, line, ev);
	smp_event(&ck->smp, line, ev, &ck->stats);   /* after on_entry's smp_move_pending */
	stats_feed(&ck->stats, ev);
}

static void visit(void *ctx, const struct trace_line *l)
{
	struct checker *ck = ctx;

	ck->last_line = l->lineno;
	switch (l->kind) {
	case TRACE_LINE_EVENT:
		on_event(ck, l->lineno, l->ev);
		break;
	case TRACE_LINE_BAD:
		violation(ck, l->lineno, "malformed", "%s", l->ev->error);
		break;
	case TRACE_LINE_TOO_LONG:
		if (l->event_like)
			violation(ck, l->lineno, "malformed", "line too long (%zu bytes > %d), skipped",
				  l->len, TRACE_MAX_LINE);
		else
			fprintf(stderr, "svtrace: %s:%ld: line too long (%zu bytes > %d), skipped\n",
				ck->file, l->lineno, l->len, TRACE_MAX_LINE);
		break;
	default:
		break;
	}
}

static void life_violation(void *ctx, long line, const char *rule, const char *msg)
{
	violation(ctx, line, rule, "%s", msg);
}

int check_file(const char *path)
{
	struct checker ck;
	struct trace_read_result res;
	int rc;

	memset(&ck, 0, sizeof(ck));
	ck.file = trace_display_name(path);
	stats_init(&ck.stats);
	life_init(&ck.life, life_violation, &ck);
	smp_init(&ck.smp, life_violation, &ck);
	rc = trace_read(path, visit, &ck, &res);
	if (rc == 0 && ck.valid == 0)
		violation(&ck, res.lines ? res.lines : 1, "not-a-trace",
			  "not a shadowvisor trace: no valid event line (hv ev=... or vm=N ev=...) in %ld lines", res.lines);
	else if (rc == 0 && !ck.halt_line)
		violation(&ck, res.lines ? res.lines : 1, "truncated",
			  "trace ends without hv ev=halt (%ld lines)", res.lines);
	if (rc == 0 && ck.violations == 0)
		printf("svtrace: %s: ok (%ld events, %zu VMs)%s\n", ck.file, res.events, ck.stats.nvms,
		       ck.summary_only ? "; trace=summary: per-entry rules and counters not checked" : "");
	else if (rc == 0)
		fprintf(stderr, "svtrace: %s: %ld violation%s\n", ck.file, ck.violations,
			ck.violations == 1 ? "" : "s");
	stats_free(&ck.stats);
	life_free(&ck.life);
	smp_free(&ck.smp);
	free(ck.vm);
	return rc != 0 || ck.violations != 0;
}
