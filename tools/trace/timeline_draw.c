/* Drawing for svtrace timeline: marks, the time axis and the legend. */
#include <string.h>

#include "timeline.h"

/* Okabe & Ito, "Color Universal Design" (2008). */
const char *const timeline_palette[NCOLORS] = {
	"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000",
};

const struct mark_style timeline_style[M_TYPES] = {
	[M_LAUNCH] = { "launch (vmlaunch)", "#009E73" },
	[M_RESUME] = { "resume (vmresume)", "#0072B2" },
	[M_FAILED] = { "entry failed or refused", "#D55E00" },
	[M_EXIT] = { "exit", "#000000" },
	[M_ALLOC] = { "cache alloc", "#56B4E9" },
	[M_EVICT] = { "cache evict", "#CC79A7" },
	[M_FLUSH] = { "cache flush", "#E69F00" },
};

/* Text for SVG: XML-escaped; names are already printable ASCII. */
void xml(FILE *f, const char *s)
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

double x_of(const struct frame *fr, double t)
{
	double span = fr->t1 > fr->t0 ? fr->t1 - fr->t0 : 1;

	return LEFT + (t - fr->t0) / span * fr->plot_w;
}

static const char *mark_color(const struct mark *m)
{
	return m->type == M_EXIT ? (m->reason < MAX_REASONS ? timeline_palette[m->reason % NCOLORS] : "#999999")
				 : timeline_style[m->type].color;
}

/* One exit reason's shape: bar, circle, triangle for each round of
 * colours. Returns the element's name, for its closing tag. */
static const char *draw_shape(FILE *f, int shape, double x, double y, const char *color)
{
	if (shape == 0) {
		fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"2\" height=\"9\" fill=\"%s\"", x - 1, y, color);
		return "rect";
	}
	if (shape == 1) {
		fprintf(f, "<circle cx=\"%.2f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"", x, y + 4.5, color);
		return "circle";
	}
	fprintf(f, "<path d=\"M%.2f %.1fl4 8h-8z\" fill=\"%s\"", x, y, color);
	return "path";
}

const char *open_mark(FILE *f, const struct mark *m, double x, double y)
{
	const char *color = mark_color(m);

	switch (m->type) {
	case M_LAUNCH:
		fprintf(f, "<rect x=\"%.2f\" y=\"%.0f\" width=\"3\" height=\"22\" fill=\"%s\"", x - 1.5, y + 10, color);
		return "rect";
	case M_RESUME:
		fprintf(f, "<rect x=\"%.2f\" y=\"%.0f\" width=\"2\" height=\"12\" fill=\"%s\"", x - 1, y + 20, color);
		return "rect";
	case M_FAILED:
		fprintf(f, "<path d=\"M%.2f %.0fl8 12m0 -12l-8 12\" stroke=\"%s\" stroke-width=\"2.5\"",
			x - 4, y + 16, color);
		return "path";
	case M_EXIT:
		return draw_shape(f, m->reason < MAX_REASONS ? m->reason / NCOLORS : 0, x, y + 35, color);
	default:
		fprintf(f, "<rect x=\"%.2f\" y=\"%.0f\" width=\"3\" height=\"7\" fill=\"%s\"", x - 1.5, y + 1, color);
		return "rect";
	}
}

/* A VM's colour in the processor lanes. */
static const char *vm_color(unsigned vm)
{
	return timeline_palette[(vm ? vm - 1 : 0) % NCOLORS];
}

void draw_lanes(FILE *f, const struct timeline *t, const struct frame *fr, unsigned ncpus, double y)
{
	size_t i;

	for (unsigned c = 0; c < ncpus; c++) {
		double ly = y + c * LANE_H;

		fprintf(f, "<g class=\"lane\" id=\"cpu-%u\">\n<text x=\"10\" y=\"%.0f\">cpu=%u</text>\n", c,
			ly + 17, c);
		fprintf(f, "<line x1=\"%d\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#ddd\"/>\n", LEFT,
			ly + 21, LEFT + fr->plot_w, ly + 21);
		for (i = 0; i < t->n; i++) {
			const struct mark *m = &t->m[i];

			if (m->cpu != c || m->type > M_FAILED)
				continue;
			fprintf(f, "<rect x=\"%.2f\" y=\"%.0f\" width=\"4\" height=\"14\" fill=\"%s\">"
				"<title>cpu=%u: vm=%u entry n=%llu; event %ld</title></rect>\n",
				x_of(fr, time_of(t, m->idx)) - 2, ly + 6, vm_color(m->vm), c, m->vm,
				(unsigned long long)m->n, m->idx + 1);
		}
		fprintf(f, "</g>\n");
	}
	for (i = 0; i < t->nmv; i++) {
		const struct move_mark *m = &t->mv[i];
		double x = x_of(fr, time_of(t, m->idx));

		if (m->from >= ncpus || m->to >= ncpus)
			continue;
		fprintf(f, "<path class=\"move\" d=\"M%.2f %.0fV%.0f\" stroke=\"#333\" stroke-width=\"1.5\" "
			"stroke-dasharray=\"3 2\"><title>move: vm=%u from cpu=%u to cpu=%u; event %ld</title></path>\n",
			x, y + m->from * LANE_H + 13, y + m->to * LANE_H + 13, m->vm, m->from, m->to, m->idx + 1);
	}
}

/* 1, 2 or 5 times a power of ten, so that four to eight ticks fit. */
static double tick_step(double span)
{
	double p = 1;

	while (p * 10 <= span / 6)
		p *= 10;
	if (span / p <= 8)
		return p;
	if (span / (2 * p) <= 8)
		return 2 * p;
	if (span / (5 * p) <= 8)
		return 5 * p;
	return 10 * p;
}

static void tick_label(char *buf, size_t n, double v)
{
	if (v >= 1e9)
		snprintf(buf, n, "%gG", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, n, "%gM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, n, "%gk", v / 1e3);
	else
		snprintf(buf, n, "%.0f", v);
}

void draw_axis(FILE *f, const struct timeline *t, const struct frame *fr, double y)
{
	double span = fr->t1 - fr->t0 > 1 ? fr->t1 - fr->t0 : 1, step = tick_step(span), v;
	char label[32];

	fprintf(f, "<g class=\"axis\">\n<line x1=\"%d\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#333\"/>\n",
		LEFT, y, LEFT + fr->plot_w, y);
	for (v = 0; v <= span * 1.0001; v += step) {
		double x = x_of(fr, fr->t0 + v);

		tick_label(label, sizeof(label), v);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#333\"/>"
			"<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>\n",
			x, y, x, y + 5, x, y + 18, label);
	}
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>\n</g>\n",
		LEFT + fr->plot_w / 2, y + 34,
		t->ntsc ? "TSC ticks since the first VM exit"
			: "trace event number (this trace has no tsc= on its exits)");
}

/* The legend flows left to right in rows, one group per band, so no cell
 * is left empty. Returns the height it took. */
struct flow {
	FILE *f;
	double x, y, right;
};

static void legend_item(struct flow *fl, const struct mark *sample, const char *label)
{
	double w = 26 + 7.0 * (double)strlen(label);
	const char *el;

	if (fl->x + w > fl->right) {
		fl->x = 10;
		fl->y += 18;
	}
	el = open_mark(fl->f, sample, fl->x + 6, fl->y - (sample->type == M_EXIT ? 33 : sample->type >= M_ALLOC ? 0 : 16));
	fprintf(fl->f, "></%s><text x=\"%.0f\" y=\"%.0f\">", el, fl->x + 14, fl->y + 9);
	xml(fl->f, label);
	fputs("</text>\n", fl->f);
	fl->x += w;
}

static void legend_heading(struct flow *fl, const char *title)
{
	fl->x = 10;
	fl->y += 20;
	fprintf(fl->f, "<text x=\"10\" y=\"%.0f\" font-weight=\"bold\">%s</text>\n", fl->y + 9, title);
	fl->x = 90;
}

double draw_legend(FILE *f, const struct timeline *t, double y, double right)
{
	struct flow fl = { f, 10, y - 20, right };
	struct mark m = { 0, 0, 0, 0, 0, 0 };
	size_t i;

	fprintf(f, "<g class=\"legend\">\n");
	legend_heading(&fl, "entries");
	for (m.type = M_LAUNCH; m.type <= M_FAILED; m.type++)
		legend_item(&fl, &m, timeline_style[m.type].name);
	legend_heading(&fl, "cache");
	for (m.type = M_ALLOC; m.type < M_TYPES; m.type++)
		legend_item(&fl, &m, timeline_style[m.type].name);
	if (t->nreasons + (size_t)t->other_reason) {
		legend_heading(&fl, "exits");
		m.type = M_EXIT;
		for (i = 0; i < t->nreasons + (size_t)t->other_reason; i++) {
			m.reason = (unsigned char)i;
			legend_item(&fl, &m, i < t->nreasons ? t->reasons[i] : "(other)");
		}
	}
	fprintf(f, "</g>\n");
	return fl.y + 20 - y;
}

