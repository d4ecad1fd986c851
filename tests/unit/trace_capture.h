/* A cmocka fixture for tests that read the trace: trace_set_sink(capture)
 * collects the lines in trace_buf (NUL-terminated, cut at its size). Include
 * after <cmocka.h>. */
#ifndef TESTS_UNIT_TRACE_CAPTURE_H
#define TESTS_UNIT_TRACE_CAPTURE_H
#include <string.h>

static char trace_buf[1 << 16];
static size_t trace_len;

static inline void capture(const char *s, size_t n)
{
	if (trace_len + n >= sizeof(trace_buf))
		n = sizeof(trace_buf) - 1 - trace_len;
	memcpy(trace_buf + trace_len, s, n);
	trace_len += n;
	trace_buf[trace_len] = '\0';
}

static inline void forget_trace(void)
{
	trace_len = 0;
	trace_buf[0] = '\0';
}

static inline void assert_trace_has(const char *line_part)
{
	if (!strstr(trace_buf, line_part))
		fail_msg("trace has no \"%s\"; trace:\n%s", line_part, trace_buf);
}

static inline void assert_trace_lacks(const char *line_part)
{
	if (strstr(trace_buf, line_part))
		fail_msg("trace has \"%s\"; trace:\n%s", line_part, trace_buf);
}

#endif
