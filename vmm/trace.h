/* The one place that formats serial trace lines (docs/TRACE.md).
 * A line is written whole, ending in '\n'. The sink is the serial port in
 * the hypervisor and a capture buffer in host unit tests. */
#ifndef VMM_TRACE_H
#define VMM_TRACE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*trace_sink_fn)(const char *s, size_t n);

void trace_set_sink(trace_sink_fn sink);
/* trace=summary: drop the per-instruction and per-exit VM events (entry,
 * exit, vmwrite, vmptrld, vmclear, pmr, hypercall, inject), keep the rest.
 * For benchmarks, where the serial port would dominate what is measured. */
void trace_set_detail(bool on);
extern bool trace_detail;       /* read through trace_detail_on() */
static inline bool trace_detail_on(void)
{
	return trace_detail;
}
/* One event line: trace_hv("vmxon status=%s", ...) prints
 * "hv ev=vmxon status=...". */
void trace_hv(const char *f, ...) __attribute__((format(printf, 1, 2)));
void trace_vm(unsigned vm, const char *f, ...) __attribute__((format(printf, 2, 3)));
/* Escape s[0..n) into a quoted trace value ("...", with \" \\ \xNN). */
size_t trace_quote(char *buf, size_t size, const char *s, size_t n);

#endif
