/* What the tests of several fake processors share: a second processor's
 * host state, and svtrace check on the captured trace. Include after
 * <cmocka.h> and tests/unit/trace_capture.h; the test links svtrace's
 * checker (tools/trace/, all of it but main.c). */
#ifndef TESTS_UNIT_SMP_FIXTURE_H
#define TESTS_UNIT_SMP_FIXTURE_H
#include <stdio.h>
#include <stdlib.h>
#include "tests/unit/baseline.h"
#include "vmm/vmcs_setup.h"
#include "tools/trace/check.h"

/* Processor 1's own GDT, IDT, TSS, GS base and exit stack. */
static inline void second_cpu_host(struct host_state *h)
{
	baseline_host_state(h);
	h->gdt_base += 0x10000;
	h->idt_base += 0x10000;
	h->tr_base += 0x10000;
	h->gs_base = 0x90000;
	h->rsp += 0x8000;
}

/* svtrace check on the lines captured so far; a failure shows them. */
static inline void assert_svtrace_accepts(void)
{
	char path[] = "/tmp/test_smp.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(trace_buf, f);
	fclose(f);
	int bad = check_file(path);
	remove(path);
	if (bad)
		fail_msg("svtrace check failed (see above); trace:\n%s", trace_buf);
}

#endif
