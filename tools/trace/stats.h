/* Counts per VM and in total, computed from the events exactly as
 * docs/TRACE.md defines the `stats` / `summary` counters. Shared by check
 * (rule counters), summary, compare and timeline. */
#ifndef SVTRACE_STATS_H
#define SVTRACE_STATS_H

#include <stdint.h>
#include "events.h"
#include "parse.h"

#define STATS_NAME_MAX    48
#define STATS_MAX_REASONS 32

struct reason_count {
	char name[STATS_NAME_MAX];
	uint64_t n;
};

struct vm_stats {
	unsigned id;
	char guest[STATS_NAME_MAX];     /* from create, "?" if none */
	uint64_t c[C_COUNT];
	struct reason_count reasons[STATS_MAX_REASONS];
	size_t nreasons;
	uint64_t other_reasons;         /* exits beyond STATS_MAX_REASONS names */
	uint64_t entry_failures;        /* ev=entryfail lines */
	uint64_t refusals;              /* ev=refuse lines */
	char ended[96];                 /* from ev=end, empty if none */
	int cleared_last;               /* saw vmclear kind=last */
	uint64_t moves;                 /* ev=move lines */
};

/* What one logical processor did: the counters of the events it printed
 * (cpu=N), and the VMs moved to it and away from it (ev=move). */
struct cpu_stats {
	uint64_t c[C_COUNT];
	uint64_t moves_in, moves_out;
	uint64_t events;
};

struct trace_stats {
	struct vm_stats **vm;           /* indexed by id, NULL if unseen */
	size_t cap;
	size_t nvms;
	uint64_t total[C_COUNT];
	char policy[STATS_NAME_MAX];    /* hv ev=config, empty if none */
	char config[TRACE_MAX_LINE + 1]; /* the rest of the config line */
	char halt[8];                   /* halt status, empty if none */
	int oom;
	struct cpu_stats cpu[TRACE_MAX_CPU];
	unsigned ncpus;                 /* the highest cpu= seen, plus one */
	unsigned cur_cpu;               /* the event being fed's */
};

void stats_init(struct trace_stats *s);
void stats_free(struct trace_stats *s);
void stats_feed(struct trace_stats *s, const struct trace_event *ev);
/* The VM's stats, NULL if it has no event so far. */
struct vm_stats *stats_vm(const struct trace_stats *s, unsigned id);
/* How the VM ended, in words. */
const char *stats_ending(const struct vm_stats *v);
/* Copies a value for display: at most n-1 bytes, unprintables as '?'. */
void stats_copy_name(char *dst, size_t n, const char *src, size_t len);

#endif
