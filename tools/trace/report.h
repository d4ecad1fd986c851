/* The report commands. Each takes the files named on the command line
 * (none: stdin) and returns the process exit status. */
#ifndef SVTRACE_REPORT_H
#define SVTRACE_REPORT_H

int summary_main(int nfiles, char **files);
int timeline_main(int nfiles, char **files, const char *out_path);
int compare_main(int nfiles, char **files);

#endif
