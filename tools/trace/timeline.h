/* svtrace timeline: the marks collected from a trace, and the drawing
 * helpers (timeline_draw.c) that turn them into SVG. */
#ifndef SVTRACE_TIMELINE_H
#define SVTRACE_TIMELINE_H

#include <stdint.h>
#include <stdio.h>

#include "stats.h"

enum mark_type { M_LAUNCH, M_RESUME, M_FAILED, M_EXIT, M_ALLOC, M_EVICT, M_FLUSH, M_TYPES };

#define MAX_REASONS 24  /* named reasons; the rest are "other" */
#define NCOLORS 8
#define ROW_H 48
#define LEFT 150
#define TOP 34
#define AXIS_H 44
#define LANE_H 26       /* one lane per logical processor, below the VM rows */

struct mark {
	long idx;               /* event number */
	uint64_t n;             /* entry number (entries and exits) */
	unsigned vm;
	unsigned cpu;           /* cpu= of its line */
	unsigned char type;
	unsigned char reason;
};

/* ev=move: VM vm went from processor from to processor to. */
struct move_mark {
	long idx;
	unsigned vm, from, to;
};

struct timeline {
	struct mark *m;
	size_t n, cap;
	long *tsc_idx;          /* events with a tsc=, and their values */
	uint64_t *tsc;
	size_t ntsc, captsc;
	struct move_mark *mv;
	size_t nmv, capmv;
	char reasons[MAX_REASONS][STATS_NAME_MAX];
	size_t nreasons;
	int other_reason;
	long nevents;
	int oom;
};

struct frame {
	double t0, t1;          /* time at the left and right edge */
	double plot_w;
};

extern const char *const timeline_palette[NCOLORS];
extern const struct mark_style { const char *name, *color; } timeline_style[M_TYPES];

void xml(FILE *f, const char *s);
double time_of(const struct timeline *t, long idx);
double x_of(const struct frame *fr, double t);
/* Opens the mark's element at (x, row top y), leaving it open for a
 * <title>; returns the element's name for the closing tag. */
const char *open_mark(FILE *f, const struct mark *m, double x, double y);
void draw_axis(FILE *f, const struct timeline *t, const struct frame *fr, double y);
/* The processor lanes from y down: each entry a block in its VM's colour
 * on the lane of the processor that made it, each move a line from the
 * lane it left to the lane it reached. */
void draw_lanes(FILE *f, const struct timeline *t, const struct frame *fr, unsigned ncpus, double y);
/* Returns the height the legend took. */
double draw_legend(FILE *f, const struct timeline *t, double y, double right);

#endif
