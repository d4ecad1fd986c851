/* `svtrace timeline`: an SVG with one row per VM, then one lane per
 * logical processor (each entry in its VM's colour, each move a line from
 * lane to lane), along a time axis in TSC
 * ticks (the `tsc=` of exit lines; events between two exits are placed
 * between them, in trace order). A trace whose exits carry no tsc= is
 * drawn against the event number instead, and the axis says so.
 *
 * Each row has three bands: cache decisions on top (alloc, evict, flush),
 * entries in the middle (launch tall, resume short, failed with a cross),
 * exits below, coloured by reason. Colours are the Okabe-Ito palette, which
 * colour-blind readers can tell apart; past eight exit reasons the shape
 * changes (bar, circle, triangle). Every mark has a <title> for hover text.
 * Self-contained: no scripts, no fonts, no links. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "report.h"
#include "timeline.h"

static void *grow(void *p, size_t *cap, size_t n, size_t size, int *oom)
{
	size_t c = *cap ? *cap * 2 : 256;
	void *q;

	if (n < *cap)
		return p;
	q = realloc(p, c * size);
	if (!q) {
		*oom = 1;
		return NULL;
	}
	*cap = c;
	return q;
}

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

static void add(struct timeline *t, const struct trace_event *ev, long idx, int type, unsigned char reason)
{
	struct mark *m = grow(t->m, &t->cap, t->n, sizeof(*m), &t->oom);
	uint64_t n = 0;

	if (!m)
		return;
	t->m = m;
	trace_num(ev, "n", &n);
	t->m[t->n++] = (struct mark){ idx, n, ev->vm, ev->cpu, (unsigned char)type, reason };
}

static void add_move(struct timeline *t, const struct trace_event *ev, long idx)
{
	struct move_mark *m = grow(t->mv, &t->capmv, t->nmv, sizeof(*m), &t->oom);
	uint64_t from = 0, to = 0;

	if (!m)
		return;
	t->mv = m;
	trace_num(ev, "from", &from);
	trace_num(ev, "to", &to);
	if (from >= TRACE_MAX_CPU || to >= TRACE_MAX_CPU)
		return;
	t->mv[t->nmv++] = (struct move_mark){ idx, ev->vm, (unsigned)from, (unsigned)to };
}

static void add_tsc(struct timeline *t, long idx, uint64_t tsc)
{
	size_t cap = t->captsc;
	long *i = grow(t->tsc_idx, &cap, t->ntsc, sizeof(*i), &t->oom);
	uint64_t *v;

	if (!i)
		return;
	t->tsc_idx = i;
	cap = t->captsc;
	v = grow(t->tsc, &cap, t->ntsc, sizeof(*v), &t->oom);
	if (!v)
		return;
	t->tsc = v;
	t->captsc = cap;
	if (t->ntsc && tsc < t->tsc[t->ntsc - 1])
		tsc = t->tsc[t->ntsc - 1];  /* keep the axis monotonic */
	t->tsc_idx[t->ntsc] = idx;
	t->tsc[t->ntsc++] = tsc;
}

static void on_event(void *ctx, long idx, const struct trace_event *ev)
{
	struct timeline *t = ctx;
	const char *n = ev->name;
	uint64_t tsc;

	t->nevents = idx + 1;
	if (ev->is_hv)
		return;
	if (strcmp(n, "entry") == 0) {
		int type = trace_is(ev, "insn", "vmlaunch") ? M_LAUNCH : M_RESUME;

		add(t, ev, idx, trace_is(ev, "verdict", "ok") ? type : M_FAILED, 0);
	} else if (strcmp(n, "entryfail") == 0 || strcmp(n, "refuse") == 0) {
		add(t, ev, idx, M_FAILED, 0);
	} else if (strcmp(n, "exit") == 0) {
		add(t, ev, idx, M_EXIT, reason_index(t, trace_get(ev, "reason")));
		if (trace_num(ev, "tsc", &tsc) == 0)
			add_tsc(t, idx, tsc);
	} else if (strcmp(n, "move") == 0) {
		add_move(t, ev, idx);
	} else if (strcmp(n, "pmr") == 0) {
		if (trace_is(ev, "op", "alloc"))
			add(t, ev, idx, M_ALLOC, 0);
		else if (trace_is(ev, "op", "evict"))
			add(t, ev, idx, M_EVICT, 0);
		else if (trace_is(ev, "op", "flush"))
			add(t, ev, idx, M_FLUSH, 0);
	}
}

/* The time of event idx: its own tsc=, or between the exits around it. */
double time_of(const struct timeline *t, long idx)
{
	size_t lo = 0, hi = t->ntsc;

	if (!t->ntsc)
		return (double)idx;
	if (idx <= t->tsc_idx[0])
		return (double)t->tsc[0];
	if (idx >= t->tsc_idx[t->ntsc - 1])
		return (double)t->tsc[t->ntsc - 1];
	while (hi - lo > 1) {   /* tsc_idx[lo] <= idx < tsc_idx[hi] */
		size_t mid = (lo + hi) / 2;

		if (t->tsc_idx[mid] <= idx)
			lo = mid;
		else
			hi = mid;
	}
	return (double)t->tsc[lo] + (double)(t->tsc[hi] - t->tsc[lo]) *
		(double)(idx - t->tsc_idx[lo]) / (double)(t->tsc_idx[hi] - t->tsc_idx[lo]);
}

static void draw_mark(FILE *f, const struct timeline *t, const struct frame *fr, const struct mark *m,
		      double y, const char *guest)
{
	double when = time_of(t, m->idx);
	const char *el = open_mark(f, m, x_of(fr, when), y);

	fprintf(f, "><title>vm=%u ", m->vm);
	xml(f, guest);
	if (m->type == M_EXIT)
		fprintf(f, ": exit n=%llu reason=%s", (unsigned long long)m->n,
			m->reason < MAX_REASONS ? t->reasons[m->reason] : "(other)");
	else if (m->type <= M_FAILED)
		fprintf(f, ": %s, entry n=%llu", timeline_style[m->type].name, (unsigned long long)m->n);
	else
		fprintf(f, ": %s", timeline_style[m->type].name);
	if (t->ntsc)
		fprintf(f, "; tsc +%.0f; event %ld</title></%s>\n", when - fr->t0, m->idx + 1, el);
	else
		fprintf(f, "; event %ld</title></%s>\n", m->idx + 1, el);
}

static void draw_row(FILE *f, const struct timeline *t, const struct frame *fr, const struct vm_stats *v,
		     size_t id, double y)
{
	size_t i;

	fprintf(f, "<g class=\"row\" id=\"vm-%zu\">\n", id);
	/* Its colour in the processor lanes. */
	fprintf(f, "<rect x=\"2\" y=\"%.0f\" width=\"5\" height=\"12\" fill=\"%s\"/>\n", y + 16,
		timeline_palette[(id ? id - 1 : 0) % NCOLORS]);
	fprintf(f, "<text x=\"10\" y=\"%.0f\">vm=%zu ", y + 26, id);
	xml(f, v->guest);
	fprintf(f, "</text>\n<line x1=\"%d\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#ddd\"/>\n",
		LEFT, y + 33, LEFT + fr->plot_w, y + 33);
	for (i = 0; i < t->n; i++)
		if (t->m[i].vm == id)
			draw_mark(f, t, fr, &t->m[i], y, v->guest);
	fprintf(f, "</g>\n");
}

static void render(FILE *f, const struct timeline *t, const struct trace_stats *s, const char *name)
{
	struct frame fr;
	unsigned ncpus = s->ncpus ? s->ncpus : 1;
	double lanes_y = TOP + (double)s->nvms * ROW_H;
	double axis_y = lanes_y + ncpus * LANE_H + 6, legend_y = axis_y + AXIS_H + 14, width, height;
	size_t id;
	int r = 0;

	fr.t0 = t->ntsc ? (double)t->tsc[0] : 0;
	fr.t1 = t->ntsc ? (double)t->tsc[t->ntsc - 1] : (double)(t->nevents > 1 ? t->nevents - 1 : 1);
	fr.plot_w = t->nevents * 4.0 < 600 ? 600 : t->nevents * 4.0 > 1600 ? 1600 : t->nevents * 4.0;
	width = LEFT + fr.plot_w + 30;
	/* The legend's height depends on its rows: draw it off-screen first. */
	{
		FILE *null = fopen("/dev/null", "w");

		height = legend_y + (null ? draw_legend(null, t, legend_y, width - 10) : 120) + 10;
		if (null)
			fclose(null);
	}
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
		width, height, width, height);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n<text x=\"10\" y=\"18\">");
	xml(f, name);
	fprintf(f, " policy=");
	xml(f, s->policy[0] ? s->policy : "?");
	fprintf(f, " (%ld events)</text>\n", t->nevents);
	for (id = 1; id < s->cap; id++) {
		if (!s->vm[id])
			continue;
		draw_row(f, t, &fr, s->vm[id], id, TOP + r * ROW_H);
		r++;
	}
	draw_lanes(f, t, &fr, ncpus, lanes_y);
	draw_axis(f, t, &fr, axis_y);
	draw_legend(f, t, legend_y, width - 10);
	fprintf(f, "</svg>\n");
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
	free(t.mv);
	free(t.tsc_idx);
	free(t.tsc);
	return rc;
}
