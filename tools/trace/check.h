/* `svtrace check`: the trace invariants of docs/TRACE.md. */
#ifndef SVTRACE_CHECK_H
#define SVTRACE_CHECK_H

/* Returns 0 if the trace is readable and breaks no rule, 1 otherwise.
 * Violations go to stderr, the ok line to stdout. */
int check_file(const char *path);

#endif
