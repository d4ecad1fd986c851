/* The trace sink is taken under one lock (vmm/trace.c with
 * arch/x86/spinlock.h): lines that several CPUs print at once come out
 * whole. Four host threads stand for four CPUs; the sink copies a line
 * byte by byte and yields in between, so without the lock the lines
 * would interleave. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "vmm/trace.h"

#define THREADS 4
#define LINES   40

static char out[THREADS * LINES * 64];
static size_t used;

static void slow_sink(const char *s, size_t n)
{
	for (size_t i = 0; i < n && used < sizeof(out); i++) {
		out[used++] = s[i];
		if (i % 8 == 0)
			sched_yield();
	}
}

static void *cpu(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	for (unsigned k = 0; k < LINES; k++)
		trace_hv(TEV_HV_smp_vmxoff, "of=%u status=ok", id);
	return NULL;
}

static void test_lines_from_several_threads_never_interleave(void **state)
{
	(void)state;
	pthread_t t[THREADS];
	trace_set_sink(slow_sink);
	for (unsigned i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, cpu, (void *)(uintptr_t)i), 0);
	for (unsigned i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	unsigned count[THREADS] = { 0 }, lines = 0;
	for (char *p = out, *nl; (nl = memchr(p, '\n', (size_t)(out + used - p))); p = nl + 1, lines++) {
		unsigned id;
		char tail[8];
		*nl = '\0';
		assert_int_equal(sscanf(p, "hv ev=smp_vmxoff of=%u status=%7s", &id, tail), 2);
		assert_string_equal(tail, "ok");
		assert_true(id < THREADS);
		assert_int_equal(strlen(p), strlen("hv ev=smp_vmxoff of=0 status=ok cpu=0"));
		count[id]++;
	}
	assert_int_equal(lines, THREADS * LINES);
	for (unsigned i = 0; i < THREADS; i++)
		assert_int_equal(count[i], LINES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_from_several_threads_never_interleave),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
