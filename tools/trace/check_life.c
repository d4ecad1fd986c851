#include "check_life.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIFE_FIELD_MAX 48

struct life_vm {
	long first_line;        /* 0: not seen */
	long create_line;
	long end_line;
	long vmcall_line;       /* exit reason=vmcall waiting for its hypercall */
	int reported_create;
	int entered;            /* had an entry */
	char mode[16];          /* from ev=create */
	char (*writes)[LIFE_FIELD_MAX];  /* fields written since the last entry */
	size_t nwrites, capwrites;
};

/* The fields a VM of each mode writes before its first entry (the
 * whole-VMCS set-up), as the first VM of that mode wrote them. */
struct life_setup {
	char mode[16];
	unsigned vm;
	char (*fields)[LIFE_FIELD_MAX];
	size_t n;
};

void life_init(struct life *l, life_report_fn report, void *ctx)
{
	memset(l, 0, sizeof(*l));
	l->report = report;
	l->ctx = ctx;
}

void life_free(struct life *l)
{
	size_t i;

	for (i = 0; i < l->cap; i++)
		free(l->vm[i].writes);
	free(l->vm);
	for (i = 0; i < l->nsetups; i++)
		free(l->setups[i].fields);
	free(l->setups);
	memset(l, 0, sizeof(*l));
}

__attribute__((format(printf, 4, 5)))
static void say(struct life *l, long line, const char *rule, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l->report(l->ctx, line, rule, msg);
}

static struct life_vm *vm_of(struct life *l, unsigned id)
{
	if (id >= l->cap) {
		size_t cap = l->cap ? l->cap : 16;
		struct life_vm *p;

		while (cap <= id)
			cap *= 2;
		p = realloc(l->vm, cap * sizeof(*p));
		if (!p) {
			fprintf(stderr, "svtrace: out of memory\n");
			exit(1);
		}
		memset(p + l->cap, 0, (cap - l->cap) * sizeof(*p));
		l->vm = p;
		l->cap = cap;
	}
	return &l->vm[id];
}

static int has_write(const struct life_vm *v, const char *f, size_t len)
{
	size_t i;

	for (i = 0; i < v->nwrites; i++)
		if (strlen(v->writes[i]) == len && memcmp(v->writes[i], f, len) == 0)
			return 1;
	return 0;
}

static void add_write(struct life_vm *v, const struct trace_token *f)
{
	if (!f || f->val_len >= LIFE_FIELD_MAX || has_write(v, f->val, f->val_len))
		return;
	if (v->nwrites == v->capwrites) {
		size_t cap = v->capwrites ? 2 * v->capwrites : 32;
		void *p = realloc(v->writes, cap * sizeof(*v->writes));

		if (!p) {
			fprintf(stderr, "svtrace: out of memory\n");
			exit(1);
		}
		v->writes = p;
		v->capwrites = cap;
	}
	memcpy(v->writes[v->nwrites], f->val, f->val_len);
	v->writes[v->nwrites][f->val_len] = '\0';
	v->nwrites++;
}

/* dirty= of a checks=dirty entry against the writes since the last entry. */
static void check_dirty(struct life *l, long line, unsigned id, struct life_vm *v,
			const struct trace_event *ev)
{
	const struct trace_token *d = trace_get(ev, "dirty");
	const char *s = d ? d->val : "", *end = s + (d ? d->val_len : 0);
	size_t listed = 0;

	while (s < end) {
		const char *c = memchr(s, ',', (size_t)(end - s));
		size_t len = (size_t)((c ? c : end) - s);

		if (len && !has_write(v, s, len))
			say(l, line, "dirty-matches-writes",
			    "entry of VM %u lists %.*s in dirty=, but no ev=vmwrite of it since the previous entry",
			    id, (int)len, s);
		else if (len)
			listed++;
		s += len + 1;
	}
	if (listed < v->nwrites) {
		size_t i;

		for (i = 0; i < v->nwrites; i++) {
			const char *f = v->writes[i];
			const char *p = d ? strstr(d->val, f) : NULL;
			size_t n = strlen(f);

			while (p && !((p == d->val || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')))
				p = strstr(p + 1, f);
			if (!p)
				say(l, line, "dirty-matches-writes",
				    "VM %u wrote %s since its previous entry, but this entry's dirty= leaves it out",
				    id, f);
		}
	}
}

static void pending_vmcall(struct life *l, long line, unsigned id, struct life_vm *v)
{
	if (v->vmcall_line && !l->summary_only)
		say(l, line, "hypercall-per-vmcall",
		    "exit reason=vmcall of VM %u at line %ld has no ev=hypercall", id, v->vmcall_line);
	v->vmcall_line = 0;
}

/* A VM's set-up writes against those of the first VM of its mode. */
static void check_setup(struct life *l, long line, unsigned id, struct life_vm *v)
{
	struct life_setup *r = NULL;
	size_t i;

	for (i = 0; i < l->nsetups && !r; i++)
		if (strcmp(l->setups[i].mode, v->mode) == 0)
			r = &l->setups[i];
	if (!r) {
		void *p = realloc(l->setups, (l->nsetups + 1) * sizeof(*l->setups));
		void *f = malloc((v->nwrites ? v->nwrites : 1) * LIFE_FIELD_MAX);

		if (!p || !f) {
			fprintf(stderr, "svtrace: out of memory\n");
			exit(1);
		}
		l->setups = p;
		r = &l->setups[l->nsetups++];
		snprintf(r->mode, sizeof(r->mode), "%s", v->mode);
		r->vm = id;
		r->fields = f;
		r->n = v->nwrites;
		if (v->nwrites)
			memcpy(r->fields, v->writes, v->nwrites * LIFE_FIELD_MAX);
		return;
	}
	for (i = 0; i < r->n; i++)
		if (!has_write(v, r->fields[i], strlen(r->fields[i])))
			say(l, line, "setup-writes-match",
			    "VM %u (mode=%s) entered without an ev=vmwrite of %s, which VM %u wrote before its first entry",
			    id, v->mode, r->fields[i], r->vm);
	if (v->nwrites > r->n)
		say(l, line, "setup-writes-match",
		    "VM %u (mode=%s) wrote %zu fields before its first entry, VM %u %zu",
		    id, v->mode, v->nwrites, r->vm, r->n);
}

static void on_entry(struct life *l, long line, unsigned id, struct life_vm *v,
		     const struct trace_event *ev)
{
	if (!v->entered && !l->summary_only && v->mode[0])
		check_setup(l, line, id, v);
	v->entered = 1;
	pending_vmcall(l, line, id, v);
	if (v->end_line)
		say(l, line, "vm-end", "entry of VM %u after its ev=end at line %ld", id, v->end_line);
	if (!l->summary_only && trace_is(ev, "checks", "dirty"))
		check_dirty(l, line, id, v, ev);
	v->nwrites = 0;
}

void life_event(struct life *l, long line, const struct trace_event *ev)
{
	unsigned id = ev->vm;
	struct life_vm *v;
	const char *n = ev->name;

	if (ev->is_hv) {
		if (strcmp(n, "config") == 0)
			l->summary_only = trace_is(ev, "trace", "summary");
		return;
	}
	v = vm_of(l, id);
	if (!v->first_line)
		v->first_line = line;
	if (strcmp(n, "create") == 0) {
		const struct trace_token *m = trace_get(ev, "mode");
		const struct trace_token *p = trace_get(ev, "platform");

		if (!v->create_line)
			v->create_line = line;
		/* VMs of one mode and platform get the same set-up writes */
		if (m && p && m->val_len + 1 + p->val_len < sizeof(v->mode))
			snprintf(v->mode, sizeof(v->mode), "%.*s/%.*s", (int)m->val_len, m->val, (int)p->val_len,
				 p->val);
		else if (m && m->val_len < sizeof(v->mode)) {
			memcpy(v->mode, m->val, m->val_len);
			v->mode[m->val_len] = '\0';
		}
		return;
	}
	if (!v->create_line && !v->reported_create) {
		say(l, line, "create-first", "event of VM %u before its ev=create", id);
		v->reported_create = 1;
	}
	if (strcmp(n, "entry") == 0) {
		on_entry(l, line, id, v, ev);
	} else if (strcmp(n, "exit") == 0) {
		pending_vmcall(l, line, id, v);
		if (v->end_line)
			say(l, line, "vm-end", "exit of VM %u after its ev=end at line %ld", id, v->end_line);
		if (trace_is(ev, "reason", "vmcall"))
			v->vmcall_line = line;
	} else if (strcmp(n, "hypercall") == 0) {
		v->vmcall_line = 0;
	} else if (strcmp(n, "vmwrite") == 0) {
		add_write(v, trace_get(ev, "field"));
	} else if (strcmp(n, "end") == 0) {
		pending_vmcall(l, line, id, v);
		if (!v->end_line)
			v->end_line = line;
	}
}

void life_halt(struct life *l, long line, int ok)
{
	size_t id;

	for (id = 1; id < l->cap; id++) {
		struct life_vm *v = &l->vm[id];

		if (!v->first_line)
			continue;
		if (ok)
			pending_vmcall(l, line, (unsigned)id, v);
		if (ok && !v->end_line)
			say(l, line, "vm-end", "VM %zu (first seen at line %ld) has no ev=end before a clean halt",
			    id, v->first_line);
	}
}
