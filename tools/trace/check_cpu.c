/* The processor and move rules of check_cpu.h. */
#include "check_cpu.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct smp_vm {
	int active;             /* its VMCS is active on active_cpu */
	unsigned active_cpu;
	long active_line;       /* the vmptrld that made it so */
	int cleared;            /* a vmclear status=ok was seen */
	unsigned clear_cpu;     /* the last one's processor */
	long clear_line;
	int move_pending;       /* ev=move seen, no entry since */
	unsigned move_to;
	long move_line;
};

static void report(struct smp *m, long line, const char *rule, const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	m->report(m->ctx, line, rule, msg);
}

void smp_init(struct smp *m, life_report_fn fn, void *ctx)
{
	memset(m, 0, sizeof(*m));
	m->report = fn;
	m->ctx = ctx;
}

void smp_free(struct smp *m)
{
	free(m->vm);
	memset(m, 0, sizeof(*m));
}

static struct smp_vm *vm_of(struct smp *m, unsigned id)
{
	if (id >= m->cap) {
		size_t cap = m->cap ? m->cap : 16;
		struct smp_vm *p;

		while (cap <= id)
			cap *= 2;
		p = realloc(m->vm, cap * sizeof(*p));
		if (!p) {
			fprintf(stderr, "svtrace: out of memory\n");
			exit(1);
		}
		memset(p + m->cap, 0, (cap - m->cap) * sizeof(*p));
		m->vm = p;
		m->cap = cap;
	}
	return &m->vm[id];
}

int smp_move_pending(const struct smp *m, unsigned id)
{
	return id < m->cap && m->vm[id].move_pending;
}

/* Rule one-cpu for an instruction (what) of VM id on processor cpu. */
static void one_cpu(struct smp *m, long line, unsigned id, struct smp_vm *v, unsigned cpu, const char *what)
{
	if (v->active && v->active_cpu != cpu)
		report(m, line, "one-cpu",
		       "%s of VM %u on cpu %u while its VMCS is active on cpu %u (line %ld): VMCLEAR it there first",
		       what, id, cpu, v->active_cpu, v->active_line);
}

static void on_vmptrld(struct smp *m, long line, const struct trace_event *ev, struct smp_vm *v)
{
	if (!trace_is(ev, "status", "ok"))
		return;
	one_cpu(m, line, ev->vm, v, ev->cpu, "vmptrld");
	if (v->move_pending && ev->cpu != v->move_to)
		report(m, line, "move-order", "vmptrld of VM %u on cpu %u after its move to cpu %u (line %ld)",
		       ev->vm, ev->cpu, v->move_to, v->move_line);
	v->active = 1;
	v->active_cpu = ev->cpu;
	v->active_line = line;
}

static void on_vmclear(struct smp *m, long line, const struct trace_event *ev, struct smp_vm *v)
{
	if (!trace_is(ev, "status", "ok"))
		return;
	one_cpu(m, line, ev->vm, v, ev->cpu, "vmclear");
	if (!v->active || v->active_cpu == ev->cpu)
		v->active = 0;
	v->cleared = 1;
	v->clear_cpu = ev->cpu;
	v->clear_line = line;
}

static void on_move(struct smp *m, long line, const struct trace_event *ev, struct smp_vm *v)
{
	uint64_t from = 0, to = 0;

	trace_num(ev, "from", &from);
	trace_num(ev, "to", &to);
	if (to != ev->cpu)
		report(m, line, "move-order", "ev=move of VM %u to cpu %llu printed by cpu %u", ev->vm,
		       (unsigned long long)to, ev->cpu);
	if (v->active)
		report(m, line, "move-order",
		       "move of VM %u from cpu %llu while its VMCS is active on cpu %u (vmptrld at line %ld), "
		       "with no vmclear there", ev->vm, (unsigned long long)from, v->active_cpu, v->active_line);
	else if (!v->cleared || v->clear_cpu != from)
		report(m, line, "move-order", "move of VM %u from cpu %llu without a vmclear on cpu %llu",
		       ev->vm, (unsigned long long)from, (unsigned long long)from);
	v->move_pending = 1;
	v->move_to = (unsigned)to;
	v->move_line = line;
}

static void on_entry(struct smp *m, long line, const struct trace_event *ev, struct smp_vm *v)
{
	one_cpu(m, line, ev->vm, v, ev->cpu, "entry");
	if (v->move_pending) {
		if (!trace_is(ev, "insn", "vmlaunch") || !trace_is(ev, "kind", "moved") ||
		    !trace_is(ev, "checks", "all"))
			report(m, line, "launch-after-move",
			       "first entry of VM %u after its move (line %ld) is not insn=vmlaunch kind=moved checks=all",
			       ev->vm, v->move_line);
		v->move_pending = 0;
	} else if (trace_is(ev, "kind", "moved")) {
		report(m, line, "launch-after-move", "entry kind=moved of VM %u without an ev=move before it",
		       ev->vm);
	}
}

/* Rule cpu-counters: a cpu_stats line against its processor's lines. */
static void on_cpu_stats(struct smp *m, long line, const struct trace_event *ev, const struct trace_stats *st)
{
	uint64_t of = 0, got;
	const struct cpu_stats *c;

	if (trace_num(ev, "of", &of) != 0 || of >= TRACE_MAX_CPU)
		return;   /* reported as malformed */
	c = &st->cpu[of];
	for (int k = 0; k < C_COUNT; k++) {
		if (trace_num(ev, trace_counter_names[k], &got) != 0)
			continue;
		m->sum[k] += got;
		if (got != c->c[k])
			report(m, line, "cpu-counters", "hv ev=cpu_stats of=%llu %s=%llu, but cpu %llu's lines have %llu",
			       (unsigned long long)of, trace_counter_names[k], (unsigned long long)got,
			       (unsigned long long)of, (unsigned long long)c->c[k]);
	}
	if (trace_num(ev, "moves_in", &got) == 0 && got != c->moves_in)
		report(m, line, "cpu-counters", "hv ev=cpu_stats of=%llu moves_in=%llu, but the trace moves %llu to it",
		       (unsigned long long)of, (unsigned long long)got, (unsigned long long)c->moves_in);
	if (trace_num(ev, "moves_out", &got) == 0 && got != c->moves_out)
		report(m, line, "cpu-counters", "hv ev=cpu_stats of=%llu moves_out=%llu, but the trace releases %llu there (vmclear kind=move)",
		       (unsigned long long)of, (unsigned long long)got, (unsigned long long)c->moves_out);
	m->nstats++;
}

/* The summary's counters that the cpu_stats lines carry: their sums. */
static void on_summary(struct smp *m, long line, const struct trace_event *ev)
{
	uint64_t got;

	for (int k = 0; k < C_COUNT && m->nstats; k++) {
		if (k != C_entries && strncmp(trace_counter_names[k], "pmr_", 4) != 0)
			continue;
		if (trace_num(ev, trace_counter_names[k], &got) == 0 && got != m->sum[k])
			report(m, line, "cpu-counters", "hv ev=summary %s=%llu, but the cpu_stats lines add up to %llu",
			       trace_counter_names[k], (unsigned long long)got, (unsigned long long)m->sum[k]);
	}
}

void smp_event(struct smp *m, long line, const struct trace_event *ev, const struct trace_stats *st)
{
	const char *n = ev->name;

	/* trace=summary: no vmclear, vmptrld or entry lines to hold a move to. */
	if (m->summary_only)
		return;
	if (ev->is_hv) {
		if (strcmp(n, "cpu_stats") == 0)
			on_cpu_stats(m, line, ev, st);
		else if (strcmp(n, "summary") == 0)
			on_summary(m, line, ev);
		return;
	}
	struct smp_vm *v = vm_of(m, ev->vm);
	if (strcmp(n, "vmptrld") == 0)
		on_vmptrld(m, line, ev, v);
	else if (strcmp(n, "vmclear") == 0)
		on_vmclear(m, line, ev, v);
	else if (strcmp(n, "move") == 0)
		on_move(m, line, ev, v);
	else if (strcmp(n, "entry") == 0)
		on_entry(m, line, ev, v);
}
