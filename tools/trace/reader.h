/* Reads a trace file line by line and hands each parsed line to a visitor.
 * Copes with NUL bytes, binary garbage, a missing final newline and lines
 * longer than TRACE_MAX_LINE (reported as TRACE_LINE_TOO_LONG, not parsed). */
#ifndef SVTRACE_READER_H
#define SVTRACE_READER_H

#include "parse.h"

#define TRACE_LINE_TOO_LONG 2

struct trace_line {
	const char *file;       /* name for messages */
	long lineno;            /* 1-based */
	int kind;               /* TRACE_LINE_* */
	size_t len;             /* bytes, without the newline */
	int event_like;         /* starts with `hv ` or `vm=` */
	const struct trace_event *ev;  /* parsed, valid unless TOO_LONG */
};

typedef void (*trace_visit_fn)(void *ctx, const struct trace_line *line);

struct trace_read_result {
	long lines;             /* lines read */
	long events;            /* TRACE_LINE_EVENT lines */
	long noise;             /* TRACE_LINE_NOISE lines */
	int ended_without_newline;
};

/* path NULL or "-" reads stdin. Returns 0, or -1 after printing
 * `svtrace: FILE: why` when the file cannot be opened or read. */
int trace_read(const char *path, trace_visit_fn fn, void *ctx,
	       struct trace_read_result *res);

/* The name used in messages for path. */
const char *trace_display_name(const char *path);

#endif
