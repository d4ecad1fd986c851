/* Trace line formatting. Lines are built in a buffer and written in one
 * call, under one lock that every CPU takes, so that a line is never
 * interleaved with another. */
#include "vmm/trace.h"
#include "vmm/fmt.h"
#include "arch/x86/spinlock.h"
#include <stdarg.h>

#define TRACE_LINE_MAX 1024

static trace_sink_fn trace_sink;
static trace_cpu_fn trace_cpu;
static struct spinlock sink_lock;
bool trace_detail = true;

#define TRACE_NAME_hv_hv(name) [TEV_HV_##name] = #name,
#define TRACE_NAME_hv_vm(name)
#define TRACE_NAME_vm_hv(name)
#define TRACE_NAME_vm_vm(name) [TEV_VM_##name] = #name,
#define TRACE_SHAPE(scope, name, keys, meaning)
const char *const trace_hv_names[TEV_HV_COUNT] = {
#define TRACE_EVENT(scope, name, keys, meaning) TRACE_NAME_hv_##scope(name)
#include "vmm/trace_events.def"
#undef TRACE_EVENT
};
const char *const trace_vm_names[TEV_VM_COUNT] = {
#define TRACE_EVENT(scope, name, keys, meaning) TRACE_NAME_vm_##scope(name)
#include "vmm/trace_events.def"
#undef TRACE_EVENT
};
#undef TRACE_SHAPE

/* The per-instruction and per-exit events trace=summary drops. */
static const bool detail_event[TEV_VM_COUNT] = {
	[TEV_VM_entry] = true, [TEV_VM_exit] = true, [TEV_VM_vmwrite] = true, [TEV_VM_vmptrld] = true,
	[TEV_VM_vmclear] = true, [TEV_VM_pmr] = true, [TEV_VM_hypercall] = true, [TEV_VM_inject] = true,
};

void trace_set_detail(bool on)
{
	trace_detail = on;
}

void trace_set_sink(trace_sink_fn sink)
{
	trace_sink = sink;
}

void trace_set_cpu_source(trace_cpu_fn cpu)
{
	trace_cpu = cpu;
}

/* Room kept at the end of a line for " cpu=4294967295\n". */
#define TRACE_CPU_ROOM 18

/* The line is built whole and handed to the sink in one call. */
static void trace_emit(const char *prefix, const char *f, va_list ap)
{
	char line[TRACE_LINE_MAX];
	size_t n = fmt(line, sizeof(line), "%s", prefix);
	n += vfmt(line + n, sizeof(line) - n - TRACE_CPU_ROOM, f, ap);
	n += fmt(line + n, sizeof(line) - n - 1, " cpu=%u", trace_cpu ? trace_cpu() : 0);
	line[n++] = '\n';
	if (trace_sink) {
		spin_lock(&sink_lock);
		trace_sink(line, n);
		spin_unlock(&sink_lock);
	}
}

void trace_hv(enum trace_hv_event ev, const char *f, ...)
{
	char prefix[40];
	fmt(prefix, sizeof(prefix), "hv ev=%s ", trace_hv_names[ev]);
	va_list ap;
	va_start(ap, f);
	trace_emit(prefix, f, ap);
	va_end(ap);
}

void trace_vm(unsigned vm, enum trace_vm_event ev, const char *f, ...)
{
	if (!trace_detail && detail_event[ev])
		return;
	char prefix[48];
	fmt(prefix, sizeof(prefix), "vm=%u ev=%s ", vm, trace_vm_names[ev]);
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
