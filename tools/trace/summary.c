/* `svtrace summary`: a plain-text table per VM and a total row, then one
 * per logical processor. */
#include <inttypes.h>
#include <stdio.h>

#include "collect.h"
#include "report.h"

static void row(const char *id, const char *guest, const uint64_t *c, const char *ended)
{
	printf("%-5s %-12s %7" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64
	       " %8" PRIu64 " %8" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64
	       " %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %10" PRIu64 "%s%s\n",
	       id, guest, c[C_entries], c[C_launches], c[C_resumes], c[C_exits],
	       c[C_checks_full], c[C_checks_dirty], c[C_pmr_hits], c[C_pmr_misses],
	       c[C_pmr_allocs], c[C_pmr_evicts], c[C_pmr_flushes], c[C_pmr_invalidates],
	       c[C_pmr_miss_bytes], ended[0] ? "  " : "", ended);
}

static void print_exits(const struct vm_stats *v)
{
	size_t i;

	printf("  vm=%u %s:", v->id, v->guest);
	for (i = 0; i < v->nreasons; i++)
		printf(" %s=%" PRIu64, v->reasons[i].name, v->reasons[i].n);
	if (v->other_reasons)
		printf(" (other)=%" PRIu64, v->other_reasons);
	if (v->nreasons == 0 && !v->other_reasons)
		printf(" none");
	if (v->entry_failures)
		printf("  [entry failures: %" PRIu64 "]", v->entry_failures);
	if (v->refusals)
		printf("  [refused: %" PRIu64 "]", v->refusals);
	printf("\n");
}

/* One row per logical processor (cpu= of the lines; none: cpu 0): what it
 * entered, its own cache model's decisions, and the VMs moved to and from it. */
static void print_cpus(const struct trace_stats *s)
{
	unsigned c;

	printf("\nper processor:\n");
	printf("%-5s %7s %7s %6s %6s %6s %6s %6s %6s %10s %8s %9s\n", "cpu", "events", "entries",
	       "launch", "hits", "misses", "allocs", "evicts", "flush", "miss_bytes", "moves_in", "moves_out");
	for (c = 0; c < s->ncpus; c++) {
		const struct cpu_stats *p = &s->cpu[c];

		if (!p->events && !p->moves_in && !p->moves_out)
			continue;
		printf("%-5u %7" PRIu64 " %7" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64
		       " %6" PRIu64 " %6" PRIu64 " %10" PRIu64 " %8" PRIu64 " %9" PRIu64 "\n",
		       c, p->events, p->c[C_entries], p->c[C_launches], p->c[C_pmr_hits],
		       p->c[C_pmr_misses], p->c[C_pmr_allocs], p->c[C_pmr_evicts], p->c[C_pmr_flushes],
		       p->c[C_pmr_miss_bytes], p->moves_in, p->moves_out);
	}
}

static void summarize(const char *path, const struct trace_stats *s,
		      const struct trace_read_result *res)
{
	size_t id;
	char label[16];

	printf("trace: %s\n", trace_display_name(path));
	printf("policy: %s\n", s->policy[0] ? s->policy : "(no hv ev=config)");
	if (s->config[0])
		printf("config: %s\n", s->config);
	printf("events: %ld  noise lines: %ld  halt: %s\n\n", res->events, res->noise,
	       s->halt[0] ? s->halt : "none (truncated)");
	printf("%-5s %-12s %7s %6s %6s %6s %8s %8s %6s %6s %6s %6s %6s %6s %10s  %s\n",
	       "vm", "guest", "entries", "launch", "resume", "exits", "chk_full", "chk_incr",
	       "hits", "misses", "allocs", "evicts", "flush", "inval", "miss_bytes", "ended");
	for (id = 1; id < s->cap; id++) {
		const struct vm_stats *v = s->vm[id];

		if (!v)
			continue;
		snprintf(label, sizeof(label), "%u", v->id);
		row(label, v->guest, v->c, stats_ending(v));
	}
	row("total", "", s->total, "");
	print_cpus(s);
	printf("\nexits by reason:\n");
	for (id = 1; id < s->cap; id++)
		if (s->vm[id])
			print_exits(s->vm[id]);
	if (s->nvms == 0)
		printf("  (no VMs)\n");
}

int summary_main(int nfiles, char **files)
{
	int i, rc = 0;
	char *stdin_only[] = { NULL };

	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	for (i = 0; i < nfiles; i++) {
		struct trace_stats s;
		struct trace_read_result res;

		stats_init(&s);
		if (collect_file(files[i], &s, &res, NULL, NULL) == 0) {
			if (i)
				printf("\n");
			summarize(files[i], &s, &res);
		} else {
			rc = 1;
		}
		stats_free(&s);
	}
	return rc;
}
