/* One line of the serial trace (docs/TRACE.md) -> tokens.
 *
 * Syntax only: this module knows what a line looks like, not which events
 * exist (events.c) or what they mean (check.c, stats.c). It has no state and
 * no I/O so that a fuzz harness can call trace_parse_line() on its own. */
#ifndef SVTRACE_PARSE_H
#define SVTRACE_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define TRACE_MAX_LINE   4096   /* longer lines are reported and skipped */
#define TRACE_MAX_TOKENS 64     /* key=value pairs per line, ev= included */
#define TRACE_MAX_VM     65535  /* largest accepted vm=N */
#define TRACE_MAX_CPU    256    /* cpu=N: 0 <= N < TRACE_MAX_CPU */

enum trace_line_kind {
	TRACE_LINE_BAD = -1,    /* starts like an event but does not parse */
	TRACE_LINE_NOISE = 0,   /* not `hv ` or `vm=`: firmware, GRUB, ... */
	TRACE_LINE_EVENT = 1,
};

struct trace_token {
	const char *key;        /* NUL-terminated, points into store */
	const char *val;        /* decoded, NUL-terminated, may hold \x00 */
	size_t val_len;
	int quoted;
};

struct trace_event {
	int is_hv;              /* 1: `hv ev=...`, 0: `vm=N ev=...` */
	unsigned vm;            /* N of vm=N, 0 for hv */
	unsigned cpu;           /* N of cpu=N, the processor that printed it; 0 if none */
	int has_cpu;            /* the line says cpu=N */
	const char *name;       /* value of ev= */
	size_t ntok;            /* tokens after the first, tok[0] is ev= */
	struct trace_token tok[TRACE_MAX_TOKENS];
	char error[128];        /* why, when TRACE_LINE_BAD */
	/* Decoded keys and values. Decoding never grows a value, and each
	 * token adds at most two NULs, so this cannot overflow. */
	char store[TRACE_MAX_LINE + 2 * TRACE_MAX_TOKENS + 8];
};

/* Parses buf[0..len) (no NUL needed; a trailing "\n" or "\r\n" is ignored).
 * Returns a trace_line_kind; on TRACE_LINE_BAD ev->error says why. */
int trace_parse_line(const char *buf, size_t len, struct trace_event *ev);

/* Value of key, or NULL. */
const struct trace_token *trace_get(const struct trace_event *ev, const char *key);
/* 1 if key is present and its value equals s exactly. */
int trace_is(const struct trace_event *ev, const char *key, const char *s);
/* Decimal, or hex with 0x. Returns 0 on success, -1 if absent or not a
 * number (then *out is left alone). */
int trace_num(const struct trace_event *ev, const char *key, uint64_t *out);
int trace_parse_num(const char *s, size_t len, uint64_t *out);

#endif
