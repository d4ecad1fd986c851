#include "collect.h"

#include <stdio.h>

#include "events.h"

struct collector {
	struct trace_stats *stats;
	collect_event_fn fn;
	void *ctx;
	long index;
	long valid;     /* events that pass their schema */
};

static void visit(void *ctx, const struct trace_line *l)
{
	struct collector *c = ctx;

	switch (l->kind) {
	case TRACE_LINE_EVENT: {
		char why[160];

		if (trace_event_validate(l->ev, why, sizeof(why)) == 0)
			c->valid++;
		stats_feed(c->stats, l->ev);
		if (c->fn)
			c->fn(c->ctx, c->index, l->ev);
		c->index++;
		break;
	}
	case TRACE_LINE_BAD:
		fprintf(stderr, "svtrace: %s:%ld: skipped: %s\n", l->file, l->lineno, l->ev->error);
		break;
	case TRACE_LINE_TOO_LONG:
		fprintf(stderr, "svtrace: %s:%ld: line too long (%zu bytes > %d), skipped\n",
			l->file, l->lineno, l->len, TRACE_MAX_LINE);
		break;
	default:
		break;
	}
}

int collect_file(const char *path, struct trace_stats *s, struct trace_read_result *res,
		 collect_event_fn fn, void *ctx)
{
	struct collector c = { s, fn, ctx, 0, 0 };
	int rc = trace_read(path, visit, &c, res);

	if (rc == 0 && c.valid == 0) {
		fprintf(stderr, "svtrace: %s: not a shadowvisor trace: no valid event line "
			"(hv ev=... or vm=N ev=...) in %ld lines\n", trace_display_name(path), res->lines);
		rc = -1;
	}
	if (rc == 0 && s->oom) {
		fprintf(stderr, "svtrace: %s: out of memory\n", trace_display_name(path));
		rc = -1;
	}
	return rc;
}
