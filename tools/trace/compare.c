/* `svtrace compare FILE...`: runs of several policies side by side, one
 * column per file, labelled by the file's name (its path when two files
 * share a name), with each run's `hv ev=config policy=` on the next row. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "report.h"

#define LABEL_W 26

struct column {
	const char *path;
	struct trace_stats s;
	int width;
};

static void print_cell_u(const struct column *c, uint64_t v)
{
	printf(" %*" PRIu64, c->width, v);
}

static void print_row(const char *label, struct column *cols, int n, enum trace_counter ctr)
{
	int i;

	printf("%-*s", LABEL_W, label);
	for (i = 0; i < n; i++)
		print_cell_u(&cols[i], cols[i].s.total[ctr]);
	printf("\n");
}

static void print_hit_rate(struct column *cols, int n)
{
	int i;

	printf("%-*s", LABEL_W, "hit rate %");
	for (i = 0; i < n; i++) {
		uint64_t h = cols[i].s.total[C_pmr_hits], m = cols[i].s.total[C_pmr_misses];

		if (h + m)
			printf(" %*.1f", cols[i].width, 100.0 * (double)h / (double)(h + m));
		else
			printf(" %*s", cols[i].width, "-");
	}
	printf("\n");
}

static void print_vm_allocs(struct column *cols, int n)
{
	size_t id, maxcap = 0;
	int i;

	for (i = 0; i < n; i++)
		if (cols[i].s.cap > maxcap)
			maxcap = cols[i].s.cap;
	for (id = 1; id < maxcap; id++) {
		const struct vm_stats *named = NULL;
		char label[96];

		for (i = 0; i < n && !named; i++)
			named = stats_vm(&cols[i].s, (unsigned)id);
		if (!named)
			continue;
		snprintf(label, sizeof(label), "allocs vm=%zu %s", id, named->guest);
		printf("%-*.*s", LABEL_W, LABEL_W, label);
		for (i = 0; i < n; i++) {
			const struct vm_stats *v = stats_vm(&cols[i].s, (unsigned)id);

			if (v)
				print_cell_u(&cols[i], v->c[C_pmr_allocs]);
			else
				printf(" %*s", cols[i].width, "-");
		}
		printf("\n");
	}
}

static const char *base_name(const char *path)
{
	const char *name = trace_display_name(path), *slash = strrchr(name, '/');

	return slash && slash[1] ? slash + 1 : name;
}

/* The file's name, or its whole path when another column has the same name. */
static const char *column_label(const struct column *cols, int n, int i)
{
	int j;

	for (j = 0; j < n; j++)
		if (j != i && strcmp(base_name(cols[j].path), base_name(cols[i].path)) == 0)
			return trace_display_name(cols[i].path);
	return base_name(cols[i].path);
}

static void print_table(struct column *cols, int n)
{
	int i;

	printf("%-*s", LABEL_W, "file");
	for (i = 0; i < n; i++) {
		const char *f = column_label(cols, n, i);
		int w = (int)strlen(f) > (int)strlen(cols[i].s.policy) ? (int)strlen(f)
									: (int)strlen(cols[i].s.policy);

		cols[i].width = w < 12 ? 12 : w;
		printf(" %*s", cols[i].width, f);
	}
	printf("\n%-*s", LABEL_W, "policy");
	for (i = 0; i < n; i++)
		printf(" %*s", cols[i].width, cols[i].s.policy[0] ? cols[i].s.policy : "?");
	printf("\n");
	print_row("entries", cols, n, C_entries);
	print_row("hits", cols, n, C_pmr_hits);
	print_row("misses", cols, n, C_pmr_misses);
	print_hit_rate(cols, n);
	print_row("allocs", cols, n, C_pmr_allocs);
	print_row("evicts", cols, n, C_pmr_evicts);
	print_row("flushes", cols, n, C_pmr_flushes);
	print_row("miss bytes", cols, n, C_pmr_miss_bytes);
	print_vm_allocs(cols, n);
}

int compare_main(int nfiles, char **files)
{
	struct column *cols;
	char *stdin_only[] = { NULL };
	int i, rc = 0;

	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	cols = calloc((size_t)nfiles, sizeof(*cols));
	if (!cols) {
		fprintf(stderr, "svtrace: out of memory\n");
		return 1;
	}
	for (i = 0; i < nfiles; i++) {
		struct trace_read_result res;

		cols[i].path = files[i];
		stats_init(&cols[i].s);
		if (collect_file(files[i], &cols[i].s, &res, NULL, NULL) != 0)
			rc = 1;
	}
	if (rc == 0)
		print_table(cols, nfiles);
	for (i = 0; i < nfiles; i++)
		stats_free(&cols[i].s);
	free(cols);
	return rc;
}
