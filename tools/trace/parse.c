/* Line syntax of docs/TRACE.md: `hv` or `vm=N`, then ` key=value` tokens
 * separated by exactly one space, the first of them `ev=NAME`. Values are
 * bare (no space, no quote, no control byte) or double-quoted with the
 * escapes \" \\ \xNN only. */
#include "parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct cursor {
	const char *p, *end;
	char *out, *out_end;
	struct trace_event *ev;
};

static int fail(struct trace_event *ev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ev->error, sizeof(ev->error), fmt, ap);
	va_end(ap);
	return TRACE_LINE_BAD;
}

static int is_key_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static int is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static int hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put(struct cursor *c, char ch)
{
	if (c->out < c->out_end)  /* always true, see the size of store */
		*c->out++ = ch;
}

/* Key up to '='; copies it NUL-terminated into the store. */
static int parse_key(struct cursor *c, struct trace_token *t)
{
	const char *start = c->p;

	t->key = c->out;
	while (c->p < c->end && is_key_char((unsigned char)*c->p))
		put(c, *c->p++);
	put(c, '\0');
	if (c->p == start)
		return fail(c->ev, "expected key=value");
	if (c->p == c->end || *c->p != '=')
		return fail(c->ev, "token `%s` without '='", t->key);
	c->p++;
	return 0;
}

static int parse_quoted(struct cursor *c, struct trace_token *t)
{
	c->p++;  /* opening quote */
	for (;;) {
		unsigned char ch;

		if (c->p == c->end)
			return fail(c->ev, "value of %s: unterminated quoted string", t->key);
		ch = (unsigned char)*c->p++;
		if (ch == '"')
			break;
		if (is_ctl(ch))
			return fail(c->ev, "value of %s: raw control byte 0x%02x in quoted string", t->key, ch);
		if (ch != '\\') {
			put(c, (char)ch);
			continue;
		}
		if (c->p == c->end)
			return fail(c->ev, "value of %s: unterminated quoted string", t->key);
		ch = (unsigned char)*c->p++;
		if (ch == '"' || ch == '\\') {
			put(c, (char)ch);
		} else if (ch == 'x') {
			int hi = c->end - c->p >= 2 ? hex_digit((unsigned char)c->p[0]) : -1;
			int lo = hi >= 0 ? hex_digit((unsigned char)c->p[1]) : -1;

			if (lo < 0)
				return fail(c->ev, "value of %s: \\x needs two hex digits", t->key);
			put(c, (char)(hi * 16 + lo));
			c->p += 2;
		} else {
			return fail(c->ev, "value of %s: unknown escape \\%c", t->key,
				    is_ctl(ch) || ch >= 0x80 ? '?' : ch);
		}
	}
	if (c->p < c->end && *c->p != ' ')
		return fail(c->ev, "value of %s: text after closing quote", t->key);
	return 0;
}

static int parse_bare(struct cursor *c, struct trace_token *t)
{
	while (c->p < c->end && *c->p != ' ') {
		unsigned char ch = (unsigned char)*c->p++;

		if (ch == '"')
			return fail(c->ev, "value of %s: quote inside bare value", t->key);
		if (is_ctl(ch))
			return fail(c->ev, "value of %s: control byte 0x%02x", t->key, ch);
		put(c, (char)ch);
	}
	return 0;
}

static int parse_token(struct cursor *c)
{
	struct trace_event *ev = c->ev;
	struct trace_token *t;
	char *val;

	if (ev->ntok == TRACE_MAX_TOKENS)
		return fail(ev, "more than %d tokens", TRACE_MAX_TOKENS);
	t = &ev->tok[ev->ntok];
	if (c->p == c->end || *c->p == ' ')
		return fail(ev, "empty token (two spaces or trailing space)");
	if (parse_key(c, t))
		return TRACE_LINE_BAD;
	if (trace_get(ev, t->key))
		return fail(ev, "duplicate key %s", t->key);
	val = c->out;
	t->quoted = c->p < c->end && *c->p == '"';
	if (t->quoted ? parse_quoted(c, t) : parse_bare(c, t))
		return TRACE_LINE_BAD;
	t->val = val;
	t->val_len = (size_t)(c->out - val);
	put(c, '\0');
	ev->ntok++;
	return 0;
}

/* "hv" or "vm=N" with 1 <= N <= TRACE_MAX_VM, decimal. */
static int parse_subject(struct cursor *c)
{
	struct trace_event *ev = c->ev;
	uint64_t n = 0;
	const char *digits;

	if (c->p[0] == 'h') {
		ev->is_hv = 1;
		c->p += 2;
		return 0;
	}
	c->p += 3;
	digits = c->p;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		n = n * 10 + (uint64_t)(*c->p++ - '0');
		if (n > TRACE_MAX_VM)
			return fail(ev, "vm= number larger than %d", TRACE_MAX_VM);
	}
	if (c->p == digits || (c->p < c->end && *c->p != ' '))
		return fail(ev, "vm= needs a decimal number");
	if (n == 0 || *digits == '0')
		return fail(ev, "vm= number must be >= 1 without leading zeros");
	ev->vm = (unsigned)n;
	return 0;
}

/* cpu=N, the line's last key: the logical processor that printed it. A
 * line without it (a single-processor or older trace) reads as processor 0,
 * and so does an older line whose cpu= held the CPU's verdict (now hw=). */
static int parse_cpu(struct trace_event *ev)
{
	uint64_t n;
	size_t i;

	for (i = ev->ntok; i-- > 1;) {
		const struct trace_token *t = &ev->tok[i];

		if (strcmp(t->key, "cpu") != 0)
			continue;
		if (t->quoted || trace_parse_num(t->val, t->val_len, &n) != 0)
			return TRACE_LINE_EVENT;
		if (n >= TRACE_MAX_CPU)
			return fail(ev, "cpu= number larger than %d", TRACE_MAX_CPU - 1);
		ev->cpu = (unsigned)n;
		ev->has_cpu = 1;
		return TRACE_LINE_EVENT;
	}
	return TRACE_LINE_EVENT;
}

int trace_parse_line(const char *buf, size_t len, struct trace_event *ev)
{
	struct cursor c;

	ev->is_hv = 0;
	ev->vm = 0;
	ev->cpu = 0;
	ev->has_cpu = 0;
	ev->name = NULL;
	ev->ntok = 0;
	ev->error[0] = '\0';
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (!(len >= 3 && (memcmp(buf, "hv ", 3) == 0 || memcmp(buf, "vm=", 3) == 0)))
		return TRACE_LINE_NOISE;
	if (len > TRACE_MAX_LINE)
		return fail(ev, "line longer than %d bytes", TRACE_MAX_LINE);
	c.p = buf;
	c.end = buf + len;
	c.out = ev->store;
	c.out_end = ev->store + sizeof(ev->store);
	c.ev = ev;
	if (parse_subject(&c))
		return TRACE_LINE_BAD;
	while (c.p < c.end) {
		if (*c.p != ' ')
			return fail(ev, "expected a space between tokens");
		c.p++;
		if (parse_token(&c))
			return TRACE_LINE_BAD;
	}
	if (ev->ntok == 0 || strcmp(ev->tok[0].key, "ev") != 0)
		return fail(ev, "second token must be ev=NAME");
	if (ev->tok[0].val_len == 0 || ev->tok[0].quoted)
		return fail(ev, "ev= needs a bare name");
	ev->name = ev->tok[0].val;
	return parse_cpu(ev);
}

const struct trace_token *trace_get(const struct trace_event *ev, const char *key)
{
	size_t i;

	for (i = 0; i < ev->ntok; i++)
		if (strcmp(ev->tok[i].key, key) == 0)
			return &ev->tok[i];
	return NULL;
}

int trace_is(const struct trace_event *ev, const char *key, const char *s)
{
	const struct trace_token *t = trace_get(ev, key);

	return t && t->val_len == strlen(s) && memcmp(t->val, s, t->val_len) == 0;
}

int trace_parse_num(const char *s, size_t len, uint64_t *out)
{
	uint64_t n = 0;
	unsigned base = 10;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len)
		return -1;
	for (; i < len; i++) {
		int d = hex_digit((unsigned char)s[i]);

		if (d < 0 || (unsigned)d >= base)
			return -1;
		if (n > (UINT64_MAX - (uint64_t)d) / base)
			return -1;
		n = n * base + (uint64_t)d;
	}
	*out = n;
	return 0;
}

int trace_num(const struct trace_event *ev, const char *key, uint64_t *out)
{
	const struct trace_token *t = trace_get(ev, key);

	return t ? trace_parse_num(t->val, t->val_len, out) : -1;
}
