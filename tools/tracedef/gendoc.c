/* gendoc: the event tables of docs/TRACE.md, made from vmm/trace_events.def.
 * Usage: gendoc hv|vm  prints that scope's table (header row included) as
 *                      Markdown; tools/tracedef/trace-doc.sh splices it into
 *                      the document
 *        gendoc keys   prints each row as `scope name key...` (the key names
 *                      only), for tools/tracedef/check-keys.sh */
#include <stdio.h>
#include <string.h>

struct row {
	const char *scope, *name, *keys, *meaning;
};

static const struct row rows[] = {
#define TRACE_EVENT(scope, name, keys, meaning) { #scope, #name, keys, meaning },
#define TRACE_SHAPE(scope, name, keys, meaning) { #scope, #name, keys, meaning },
#include "../../vmm/trace_events.def"
#undef TRACE_EVENT
#undef TRACE_SHAPE
};

/* Text for a table cell: `|` escaped. */
static void put_cell(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '|')
			putchar('\\');
		putchar(s[i]);
	}
}

/* One key spec as the reader sees it: ?spec -> [spec], num -> N,
 * hex -> 0x.., a bare key -> key=... */
static void put_spec(const char *s, size_t n)
{
	int optional = n && s[0] == '?';
	const char *eq;
	size_t form;

	s += optional;
	n -= (size_t)optional;
	eq = memchr(s, '=', n);
	if (optional)
		putchar('[');
	put_cell(s, eq ? (size_t)(eq - s) : n);
	fputs("=", stdout);
	form = eq ? n - (size_t)(eq - s) - 1 : 0;
	if (!eq)
		fputs("...", stdout);
	else if (form == 3 && memcmp(eq + 1, "num", 3) == 0)
		putchar('N');
	else if (form == 3 && memcmp(eq + 1, "hex", 3) == 0)
		fputs("0x..", stdout);
	else
		put_cell(eq + 1, form);
	if (optional)
		putchar(']');
}

static void put_keys(const char *k)
{
	while (*k) {
		const char *sp = strchr(k, ' ');
		size_t n = sp ? (size_t)(sp - k) : strlen(k);

		put_spec(k, n);
		k += n;
		if (*k) {
			putchar(' ');
			k++;
		}
	}
}

/* Each row's scope, name and key names, one row a line. */
static void put_key_names(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *k = rows[i].keys;

		printf("%s %s", rows[i].scope, rows[i].name);
		while (*k) {
			size_t n;

			k += *k == '?';
			n = strcspn(k, " =");
			printf(" %.*s", (int)n, k);
			k += strcspn(k, " ");
			k += *k == ' ';
		}
		putchar('\n');
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "keys") == 0) {
		put_key_names();
		return 0;
	}
	if (argc != 2 || (strcmp(argv[1], "hv") != 0 && strcmp(argv[1], "vm") != 0)) {
		fprintf(stderr, "usage: gendoc hv|vm|keys\n");
		return 2;
	}
	puts("| event | keys | meaning |");
	puts("|---|---|---|");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (strcmp(rows[i].scope, argv[1]) != 0)
			continue;
		printf("| %s | ", rows[i].name);
		put_keys(rows[i].keys);
		fputs(" | ", stdout);
		put_cell(rows[i].meaning, strlen(rows[i].meaning));
		puts(" |");
	}
	return 0;
}
