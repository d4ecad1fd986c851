/* The one place that formats serial trace lines (docs/TRACE.md).
 * A line is written whole, ending in " cpu=N\n" (the logical processor that
 * printed it), in one call to the sink, so a lock around the sink keeps
 * lines of several processors apart. The sink is the serial port in
 * the hypervisor and a capture buffer in host unit tests. */
#ifndef VMM_TRACE_H
#define VMM_TRACE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*trace_sink_fn)(const char *s, size_t n);
/* Which logical processor is printing: every line ends in cpu=N. */
typedef unsigned (*trace_cpu_fn)(void);

void trace_set_sink(trace_sink_fn sink);
/* Where cpu= comes from; NULL (the default) says cpu=0. The composition
 * names the per-CPU data's own query; host tests the fake CPU's. */
void trace_set_cpu_source(trace_cpu_fn cpu);
/* trace=summary: drop the per-instruction and per-exit VM events (entry,
 * exit, vmwrite, vmptrld, vmclear, pmr, hypercall, inject), keep the rest.
 * For benchmarks, where the serial port would dominate what is measured. */
void trace_set_detail(bool on);
extern bool trace_detail;       /* read through trace_detail_on() */
static inline bool trace_detail_on(void)
{
	return trace_detail;
}
/* The events, one constant per TRACE_EVENT row of trace_events.def (its
 * shapes share the constant): TEV_HV_vmxon, TEV_VM_entry, ... An event not
 * in the table has no constant, so it cannot be printed. */
#define TRACE_ENUM_hv_hv(name) TEV_HV_##name,
#define TRACE_ENUM_hv_vm(name)
#define TRACE_ENUM_vm_hv(name)
#define TRACE_ENUM_vm_vm(name) TEV_VM_##name,
#define TRACE_SHAPE(scope, name, keys, meaning)
enum trace_hv_event {
#define TRACE_EVENT(scope, name, keys, meaning) TRACE_ENUM_hv_##scope(name)
#include "vmm/trace_events.def"
#undef TRACE_EVENT
	TEV_HV_COUNT
};
enum trace_vm_event {
#define TRACE_EVENT(scope, name, keys, meaning) TRACE_ENUM_vm_##scope(name)
#include "vmm/trace_events.def"
#undef TRACE_EVENT
	TEV_VM_COUNT
};
#undef TRACE_SHAPE

/* The ev= names, indexed by the constants. */
extern const char *const trace_hv_names[TEV_HV_COUNT];
extern const char *const trace_vm_names[TEV_VM_COUNT];

/* One event line: trace_hv(TEV_HV_vmxon, "status=%s", ...) prints
 * "hv ev=vmxon status=..."; f holds the keys and is never empty. */
void trace_hv(enum trace_hv_event ev, const char *f, ...) __attribute__((format(printf, 2, 3)));
void trace_vm(unsigned vm, enum trace_vm_event ev, const char *f, ...) __attribute__((format(printf, 3, 4)));
/* Escape s[0..n) into a quoted trace value ("...", with \" \\ \xNN). */
size_t trace_quote(char *buf, size_t size, const char *s, size_t n);

#endif
