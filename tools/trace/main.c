/* svtrace: reads shadowvisor serial traces (docs/TRACE.md).
 *
 *   svtrace check    [FILE...]   verify the invariants; exit 1 on a violation
 *   svtrace summary  [FILE...]   per-VM table and totals
 *   svtrace timeline [-o OUT] [FILE]   SVG of entries, exits, cache decisions
 *   svtrace compare  FILE...     policies side by side
 *
 *   svtrace --version            the build's version (git describe)
 *
 * No FILE or "-" reads stdin. Exit status: 0 ok, 1 violation or unreadable
 * input, 2 usage error. */
#include <stdio.h>
#include <string.h>

#ifndef SV_VERSION
#define SV_VERSION "unknown"  /* the Makefile passes git describe */
#endif

#include "check.h"
#include "report.h"

static int usage(const char *why)
{
	if (why)
		fprintf(stderr, "svtrace: %s\n", why);
	fprintf(stderr,
		"usage: svtrace check [FILE...]\n"
		"       svtrace summary [FILE...]\n"
		"       svtrace timeline [-o OUT.svg] [FILE]\n"
		"       svtrace compare [FILE...]\n"
		"       svtrace --version\n"
		"No FILE or \"-\" reads standard input.\n");
	return 2;
}

static int check_main(int nfiles, char **files)
{
	int i, rc = 0;

	if (nfiles == 0)
		return check_file(NULL);
	for (i = 0; i < nfiles; i++)
		rc |= check_file(files[i]);
	return rc;
}

int main(int argc, char **argv)
{
	const char *cmd, *out = NULL;
	char **files;
	int nfiles;

	if (argc < 2)
		return usage(NULL);
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
		usage(NULL);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("svtrace %s\n", SV_VERSION);
		return 0;
	}
	files = argv + 2;
	nfiles = argc - 2;
	if (strcmp(cmd, "timeline") == 0 && nfiles >= 1 && strcmp(files[0], "-o") == 0) {
		if (nfiles < 2)
			return usage("-o needs a file name");
		out = files[1];
		files += 2;
		nfiles -= 2;
	}
	if (nfiles > 0 && files[0][0] == '-' && files[0][1] != '\0')
		return usage("unknown option");
	if (strcmp(cmd, "check") == 0)
		return check_main(nfiles, files);
	if (strcmp(cmd, "summary") == 0)
		return summary_main(nfiles, files);
	if (strcmp(cmd, "timeline") == 0) {
		if (nfiles > 1)
			return usage("timeline takes one FILE");
		return timeline_main(nfiles, files, out);
	}
	if (strcmp(cmd, "compare") == 0)
		return compare_main(nfiles, files);
	return usage("unknown command");
}
