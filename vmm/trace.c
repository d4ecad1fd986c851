/* Trace line formatting. Lines are built in a buffer and written in one
 * call so that a line is never interleaved with another. */
#include "trace.h"
#include "fmt.h"
#include <stdarg.h>

#define TRACE_LINE_MAX 1024

static trace_sink_fn trace_sink;
bool trace_detail = true;

static const char *const detail_events[] = {
	"entry ", "exit ", "vmwrite ", "vmptrld ", "vmclear ", "pmr ", "hypercall ", "inject ",
};

void trace_set_detail(bool on)
{
	trace_detail = on;
}

static bool is_detail(const char *f)
{
	for (size_t i = 0; i < sizeof(detail_events) / sizeof(detail_events[0]); i++) {
		size_t n = 0;
		while (detail_events[i][n] && f[n] == detail_events[i][n])
			n++;
		if (!detail_events[i][n])
			return true;
	}
	return false;
}

void trace_set_sink(trace_sink_fn sink)
{
	trace_sink = sink;
}

static void trace_emit(const char *prefix, const char *f, va_list ap)
{
	char line[TRACE_LINE_MAX];
	size_t n = fmt(line, sizeof(line), "%s", prefix);
	n += vfmt(line + n, sizeof(line) - n - 1, f, ap);
	line[n++] = '\n';
	if (trace_sink)
		trace_sink(line, n);
}

void trace_hv(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	trace_emit("hv ev=", f, ap);
	va_end(ap);
}

void trace_vm(unsigned vm, const char *f, ...)
{
	if (!trace_detail && is_detail(f))
		return;
	char prefix[24];
	fmt(prefix, sizeof(prefix), "vm=%u ev=", vm);
	va_list ap;
	va_start(ap, f);
	trace_emit(prefix, f, ap);
	va_end(ap);
}

size_t trace_quote(char *buf, size_t size, const char *s, size_t n)
{
	size_t o = 0;
	if (size < 3)
		return 0;
	buf[o++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[5];
		size_t len;
		if (c == '"' || c == '\\')
			len = fmt(esc, sizeof(esc), "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			len = fmt(esc, sizeof(esc), "\\x%02x", c);
		else
			len = fmt(esc, sizeof(esc), "%c", c);
		if (o + len + 2 > size)
			break;
		for (size_t k = 0; k < len; k++)
			buf[o++] = esc[k];
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return o;
}
