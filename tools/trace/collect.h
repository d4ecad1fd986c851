/* Reads a whole trace into struct trace_stats for the report commands
 * (summary, timeline, compare). Unparsable lines are reported on stderr
 * and skipped; unknown events are ignored, as docs/TRACE.md asks of
 * readers outside check mode. */
#ifndef SVTRACE_COLLECT_H
#define SVTRACE_COLLECT_H

#include "reader.h"
#include "stats.h"

/* Called for each event with its index among the events (0-based). */
typedef void (*collect_event_fn)(void *ctx, long index, const struct trace_event *ev);

/* Returns 0, or -1 if the file could not be read or holds no valid event
 * (not a trace); the message is printed. */
int collect_file(const char *path, struct trace_stats *s, struct trace_read_result *res,
		 collect_event_fn fn, void *ctx);

#endif
