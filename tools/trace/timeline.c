/* `svtrace timeline`: an SVG with one row per VM; x is the event index.
 * Entries are bars (launch tall green, resume short blue, failed red),
 * exits ticks below them coloured by reason, and cache decisions ticks
 * above (alloc, evict, flush). Self-contained: no scripts, no fonts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "report.h"

enum mark_type { M_LAUNCH, M_RESUME, M_FAILED, M_EXIT, M_ALLOC, M_EVICT, M_FLUSH };

#define MAX_REASONS 10  /* coloured reasons; the rest are "other" */
#define ROW_H 44
#define LEFT 150
#define TOP 30

struct mark {
	long idx;
	unsigned vm;
	unsigned char type;
	unsigned char reason;
};

struct timeline {
	struct mark *m;
	size_t n, cap;
	char reasons[MAX_REASONS][STATS_NAME_MAX];
	size_t nreasons;
	int other_reason;
	long nevents;
	int oom;
};

static const char *const reason_colors[MAX_REASONS + 1] = {
	"#e6194b", "#f58231", "#ffe119", "#bfef45", "#42d4f4",
	"#911eb4", "#f032e6", "#a9a9a9", "#9a6324", "#000075", "#808080",
};

static const struct { const char *name, *color; } mark_style[] = {
	[M_LAUNCH] = { "launch (vmlaunch)", "#2ca02c" },
	[M_RESUME] = { "resume (vmresume)", "#1f77b4" },
	[M_FAILED] = { "entry failed / predicted failure", "#d62728" },
	[M_EXIT] = { "exit", "#000000" },
	[M_ALLOC] = { "cache alloc", "#17becf" },
	[M_EVICT] = { "cache evict", "#8c564b" },
	[M_FLUSH] = { "cache flush", "#ff7f0e" },
};

static unsigned char reason_index(struct timeline *t, const struct trace_token *r)
{
	char name[STATS_NAME_MAX];
	size_t i;

	stats_copy_name(name, sizeof(name), r ? r->val : "?", r ? r->val_len : 1);
	for (i = 0; i < t->nreasons; i++)
		if (strcmp(t->reasons[i], name) == 0)
			return (unsigned char)i;
	if (t->nreasons == MAX_REASONS) {
		t->other_reason = 1;
		return MAX_REASONS;
	}
	strcpy(t->reasons[t->nreasons], name);
	return (unsigned char)t->nreasons++;
}

static void add(struct timeline *t, long idx, unsigned vm, int type, unsigned char reason)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct mark *m = realloc(t->m, cap * sizeof(*m));

		if (!m) {
			t->oom = 1;
			return;
		}
		t->m = m;
		t->cap = cap;
	}
	t->m[t->n++] = (struct mark){ idx, vm, (unsigned char)type, reason };
}

static void on_event(void *ctx, long idx, const struct trace_event *ev)
{
	struct timeline *t = ctx;
	const char *n = ev->name;

	t->nevents = idx + 1;
	if (ev->is_hv)
		return;
	if (strcmp(n, "entry") == 0) {
		int type = trace_is(ev, "insn", "vmlaunch") ? M_LAUNCH : M_RESUME;

		add(t, idx, ev->vm, trace_is(ev, "verdict", "ok") ? type : M_FAILED, 0);
	} else if (strcmp(n, "entryfail") == 0) {
		add(t, idx, ev->vm, M_FAILED, 0);
	} else if (strcmp(n, "exit") == 0) {
		add(t, idx, ev->vm, M_EXIT, reason_index(t, trace_get(ev, "reason")));
	} else if (strcmp(n, "pmr") == 0) {
		if (trace_is(ev, "op", "alloc"))
			add(t, idx, ev->vm, M_ALLOC, 0);
		else if (trace_is(ev, "op", "evict"))
			add(t, idx, ev->vm, M_EVICT, 0);
		else if (trace_is(ev, "op", "flush"))
			add(t, idx, ev->vm, M_FLUSH, 0);
	}
}

/* Text for SVG: XML-escaped; names are already printable ASCII. */
static void xml(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void draw_mark(FILE *f, const struct mark *m, int row, double scale, double w)
{
	double x = LEFT + (double)m->idx * scale, y = TOP + row * ROW_H;
	const char *color = m->type == M_EXIT ? reason_colors[m->reason] : mark_style[m->type].color;
	double top, h;

	switch (m->type) {
	case M_LAUNCH: case M_FAILED: top = 6; h = 24; break;
	case M_RESUME: top = 14; h = 16; break;
	case M_EXIT: top = 32; h = 8; break;
	default: top = 0; h = 5; break;
	}
	fprintf(f, "<rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%.0f\" fill=\"%s\"/>\n",
		x, y + top, w, h, color);
}

static void draw_legend_item(FILE *f, double x, double y, const char *color, const char *label)
{
	fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
		"<text x=\"%.0f\" y=\"%.0f\">", x, y, color, x + 16, y + 11);
	xml(f, label);
	fputs("</text>\n", f);
}

static void draw_legend(FILE *f, const struct timeline *t, double y)
{
	size_t i;

	fprintf(f, "<g class=\"legend\">\n");
	for (i = 0; i < sizeof(mark_style) / sizeof(mark_style[0]); i++) {
		if (i == M_EXIT)
			continue;
		draw_legend_item(f, 10 + (double)(i % 3) * 260, y + (double)(i / 3) * 18,
				 mark_style[i].color, mark_style[i].name);
	}
	y += 3 * 18 + 4;
	for (i = 0; i < t->nreasons + (size_t)t->other_reason; i++) {
		char label[STATS_NAME_MAX + 8];

		snprintf(label, sizeof(label), "exit %s", i < t->nreasons ? t->reasons[i] : "(other)");
		draw_legend_item(f, 10 + (double)(i % 4) * 200, y + (double)(i / 4) * 18,
				 reason_colors[i], label);
	}
	fprintf(f, "</g>\n");
}

static void render(FILE *f, const struct timeline *t, const struct trace_stats *s, const char *name)
{
	double plot_w = t->nevents * 4.0 < 400 ? 400 : t->nevents * 4.0 > 1600 ? 1600 : t->nevents * 4.0;
	double scale = plot_w / (double)(t->nevents ? t->nevents : 1);
	double w = scale * 0.8 < 0.5 ? 0.5 : scale * 0.8;
	size_t nreasons = t->nreasons + (size_t)t->other_reason;
	double legend_y = TOP + (double)s->nvms * ROW_H + 20;
	double height = legend_y + 3 * 18 + 8 + (double)((nreasons + 3) / 4) * 18 + 10;
	int *row = calloc(s->cap ? s->cap : 1, sizeof(*row));
	size_t id, i;
	int r = 0;

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
		LEFT + plot_w + 20, height, LEFT + plot_w + 20, height);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n<text x=\"10\" y=\"18\">");
	xml(f, name);
	fprintf(f, " policy=");
	xml(f, s->policy[0] ? s->policy : "?");
	fprintf(f, " (%ld events)</text>\n", t->nevents);
	for (id = 1; id < s->cap; id++) {
		const struct vm_stats *v = s->vm[id];
		double y;

		if (!v)
			continue;
		if (row)
			row[id] = r;
		y = TOP + r * ROW_H;
		fprintf(f, "<g class=\"row\" id=\"vm-%zu\">\n<text x=\"10\" y=\"%.0f\">vm=%zu ", id, y + 24, id);
		xml(f, v->guest);
		fprintf(f, "</text>\n<line x1=\"%d\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#ccc\"/>\n",
			LEFT, y + 30, LEFT + plot_w, y + 30);
		for (i = 0; row && i < t->n; i++)
			if (t->m[i].vm == id)
				draw_mark(f, &t->m[i], r, scale, w);
		fprintf(f, "</g>\n");
		r++;
	}
	draw_legend(f, t, legend_y);
	fprintf(f, "</svg>\n");
	free(row);
}

int timeline_main(int nfiles, char **files, const char *out_path)
{
	struct timeline t;
	struct trace_stats s;
	struct trace_read_result res;
	const char *path = nfiles ? files[0] : NULL;
	FILE *out = stdout;
	int rc = 0;

	memset(&t, 0, sizeof(t));
	stats_init(&s);
	if (collect_file(path, &s, &res, on_event, &t) != 0 || t.oom) {
		if (t.oom)
			fprintf(stderr, "svtrace: %s: out of memory\n", trace_display_name(path));
		rc = 1;
	} else if (out_path && strcmp(out_path, "-") != 0 && !(out = fopen(out_path, "w"))) {
		fprintf(stderr, "svtrace: %s: cannot write: %s\n", out_path, strerror(errno));
		rc = 1;
	} else {
		render(out, &t, &s, trace_display_name(path));
		if (out != stdout ? fclose(out) != 0 : fflush(out) != 0) {
			fprintf(stderr, "svtrace: %s: write error\n", out_path ? out_path : "<stdout>");
			rc = 1;
		}
	}
	stats_free(&s);
	free(t.m);
	return rc;
}
