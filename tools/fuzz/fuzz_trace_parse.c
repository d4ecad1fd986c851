/* libFuzzer harness: the trace reader (tools/trace/) on arbitrary bytes.
 *
 * Every line of the input goes through trace_parse_line() from its own
 * exact-size allocation (so ASan sees a read past len), and the result is
 * checked against parse.h's promises: an event has a name equal to tok[0]
 * (ev=), at most TRACE_MAX_TOKENS tokens, keys and values inside the store
 * and NUL-terminated, unique keys; a bad line has a reason. Each event is
 * also validated against the event table and fed to the statistics.
 * Then the whole input is run through `svtrace check` (check_file), read
 * back from a memory file, the way svtrace reads a trace file. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tools/trace/check.h"
#include "tools/trace/events.h"
#include "tools/trace/parse.h"
#include "tools/trace/stats.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_trace_parse: %s\n", what);
		abort();
	}
}

static int in_store(const struct trace_event *ev, const char *p, size_t n)
{
	return p >= ev->store && p + n < ev->store + sizeof(ev->store) && p[n] == '\0';
}

static void check_event(const struct trace_event *ev)
{
	check(ev->ntok >= 1 && ev->ntok <= TRACE_MAX_TOKENS, "token count");
	check(ev->name == ev->tok[0].val && strcmp(ev->tok[0].key, "ev") == 0, "name is not ev=");
	check(ev->is_hv ? ev->vm == 0 : ev->vm >= 1 && ev->vm <= TRACE_MAX_VM, "vm= range");
	for (size_t i = 0; i < ev->ntok; i++) {
		const struct trace_token *t = &ev->tok[i];

		check(in_store(ev, t->key, strlen(t->key)) && t->key[0], "key outside the store");
		check(in_store(ev, t->val, t->val_len), "value outside the store");
		check(trace_get(ev, t->key) == t, "duplicate key");
		uint64_t n;
		if (trace_num(ev, t->key, &n) == 0)
			check(t->val_len > 0, "number from an empty value");
	}
}

static void parse_lines(const uint8_t *data, size_t size, struct trace_event *ev,
			struct trace_stats *st)
{
	size_t start = 0;

	while (start < size) {
		const uint8_t *nl = memchr(data + start, '\n', size - start);
		size_t len = nl ? (size_t)(nl - (data + start)) + 1 : size - start;
		char *line = malloc(len ? len : 1);
		char why[160];

		memcpy(line, data + start, len);
		int kind = trace_parse_line(line, len, ev);
		if (kind == TRACE_LINE_EVENT) {
			check_event(ev);
			if (trace_event_validate(ev, why, sizeof(why)) != 0)
				check(memchr(why, '\0', sizeof(why)) && why[0], "validate without a reason");
			stats_feed(st, ev);
		} else if (kind == TRACE_LINE_BAD) {
			check(ev->error[0] != '\0' && memchr(ev->error, '\0', sizeof(ev->error)),
			      "bad line without a reason");
		} else {
			check(kind == TRACE_LINE_NOISE, "unknown line kind");
		}
		free(line);
		start += len;
	}
}

/* check_file() reads a path; a memfd gives it one without touching disk.
 * Its report lines go to a /dev/null stream: the stdio pointers are swapped
 * for the call, while the sanitizers and libFuzzer keep writing to fd 2. */
static void run_check(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static FILE *null;
	char path[64];

	if (fd < 0)
		fd = memfd_create("fuzz_trace", 0);
	if (!null)
		null = fopen("/dev/null", "w");
	check(fd >= 0 && null, "memfd_create or /dev/null");
	check(ftruncate(fd, 0) == 0 && pwrite(fd, data, size, 0) == (ssize_t)size, "memfd write");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	FILE *out = stdout, *err = stderr;
	stdout = stderr = null;
	int rc = check_file(path);
	stdout = out;
	stderr = err;
	check(rc == 0 || rc == 1, "check_file status");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trace_event ev;
	struct trace_stats st;

	stats_init(&st);
	parse_lines(data, size, &ev, &st);
	stats_free(&st);
	run_check(data, size);
	return 0;
}
