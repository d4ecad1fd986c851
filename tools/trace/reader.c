#include "reader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *trace_display_name(const char *path)
{
	return !path || strcmp(path, "-") == 0 ? "<stdin>" : path;
}

static FILE *open_trace(const char *path, const char *name)
{
	struct stat st;
	FILE *f;

	if (!path || strcmp(path, "-") == 0)
		return stdin;
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "svtrace: %s: cannot open: %s\n", name, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "svtrace: %s: cannot read: is a directory\n", name);
		fclose(f);
		return NULL;
	}
	return f;
}

static void deliver(struct trace_line *l, const char *buf, size_t kept,
		    struct trace_event *ev, trace_visit_fn fn, void *ctx,
		    struct trace_read_result *res)
{
	size_t eff = l->len;

	if (eff == kept && kept > 0 && buf[kept - 1] == '\r')
		eff--;
	l->lineno = ++res->lines;
	l->event_like = kept >= 3 && (memcmp(buf, "hv ", 3) == 0 || memcmp(buf, "vm=", 3) == 0);
	if (eff > TRACE_MAX_LINE) {
		l->kind = TRACE_LINE_TOO_LONG;
	} else {
		l->kind = trace_parse_line(buf, kept, ev);
	}
	if (l->kind == TRACE_LINE_EVENT)
		res->events++;
	else if (l->kind == TRACE_LINE_NOISE || (l->kind == TRACE_LINE_TOO_LONG && !l->event_like))
		res->noise++;
	fn(ctx, l);
}

int trace_read(const char *path, trace_visit_fn fn, void *ctx,
	       struct trace_read_result *res)
{
	const char *name = trace_display_name(path);
	/* room for TRACE_MAX_LINE bytes, a '\r' and one byte to see overflow */
	enum { CAP = TRACE_MAX_LINE + 2 };
	char *buf = malloc(CAP);
	struct trace_event *ev = malloc(sizeof(*ev));
	struct trace_line l = { .file = name, .ev = ev };
	FILE *f = NULL;
	size_t kept = 0;
	int c, rc = 0;

	memset(res, 0, sizeof(*res));
	if (!buf || !ev) {
		fprintf(stderr, "svtrace: %s: out of memory\n", name);
		rc = -1;
		goto out;
	}
	f = open_trace(path, name);
	if (!f) {
		rc = -1;
		goto out;
	}
	l.len = 0;
	while ((c = getc(f)) != EOF) {
		if (c == '\n') {
			deliver(&l, buf, kept, ev, fn, ctx, res);
			kept = l.len = 0;
			continue;
		}
		if (kept < CAP)
			buf[kept++] = (char)c;
		l.len++;
	}
	if (ferror(f)) {
		fprintf(stderr, "svtrace: %s:%ld: read error: %s\n", name, res->lines + 1,
			strerror(errno));
		rc = -1;
	} else if (l.len > 0) {
		res->ended_without_newline = 1;
		deliver(&l, buf, kept, ev, fn, ctx, res);
	}
out:
	if (f && f != stdin)
		fclose(f);
	free(buf);
	free(ev);
	return rc;
}
