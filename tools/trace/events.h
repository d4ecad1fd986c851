/* Which events exist and which keys they carry: the rows of
 * vmm/trace_events.def, the one definition of the trace's events. */
#ifndef SVTRACE_EVENTS_H
#define SVTRACE_EVENTS_H

#include <stddef.h>
#include "parse.h"

/* Checks ev= against the table for hv or vm events, then each documented
 * key: present unless optional, value of the documented form. Unknown keys
 * are allowed (docs/TRACE.md: "readers ignore unknown keys").
 * Returns 0, or -1 with the reason in why. */
int trace_event_validate(const struct trace_event *ev, char *why, size_t n);

/* The schema rows of hv (is_hv) or vm events, shapes included. */
size_t trace_schema_rows(int is_hv);

/* The counters of `vm=N ev=stats` and `hv ev=summary`, in document order. */
#define TRACE_COUNTERS(X) \
	X(entries) X(launches) X(resumes) X(exits) \
	X(checks_full) X(checks_dirty) \
	X(pmr_hits) X(pmr_misses) X(pmr_allocs) X(pmr_evicts) \
	X(pmr_flushes) X(pmr_invalidates) X(pmr_miss_bytes)

enum trace_counter {
#define TRACE_COUNTER_ENUM(name) C_##name,
	TRACE_COUNTERS(TRACE_COUNTER_ENUM)
#undef TRACE_COUNTER_ENUM
	C_COUNT
};

extern const char *const trace_counter_names[C_COUNT];

#endif
