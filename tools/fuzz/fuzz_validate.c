/* libFuzzer harness: incremental VM-entry validation equals full validation.
 *
 * The input is a list of 10-byte records, each one VMWRITE:
 *   byte 0      field index, mod VMCS_FIELD_COUNT
 *   bytes 1..8  value, little-endian
 *   byte 9      bits 1:0 the write (= |= &= ^=); bit 7: try a VM entry after
 *               it; bit 6 (with bit 7): a VM exit follows a successful entry
 * applied with shadow_write() to two copies of the valid baseline of
 * tests/unit/baseline.c: F (every field dirty, checked with validate_full)
 * and D (marked entered with shadow_on_entry_ok(), checked with
 * validate_dirty). At every entry, and once at the end, the harness aborts
 * unless
 *   - both give the same verdict (kind, code, qualification, check, field),
 *     which is what makes VMRESUME's dirty-only checking sound;
 *   - no predicate read a field missing from its reads[] row;
 *   - validate_dirty ran no more checks than validate_full.
 * A successful entry clears D's dirty bits, as vm_enter does; an exit makes
 * guest-state fields unknown, to be fetched back (shadow_fill) from what
 * the "CPU" holds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/baseline.h"
#include "vmm/shadow/entry_checks.h"
#include "vmm/shadow/validate.h"
#include "vmm/shadow/validate_dirty.h"

#define RECORD 10
#define OP_ENTER 0x80
#define OP_EXIT 0x40

static struct vmx_caps caps;
static struct vmcs_shadow base;
/* The CPU's copy of the VMCS since the last exit: what a VMREAD returns. */
static uint64_t cpu_val[VMCS_FIELD_COUNT];

static uint64_t cpu_fetch(void *opaque, enum vmcs_field f)
{
	(void)opaque;
	return cpu_val[f];
}

static void ctx_over(struct check_ctx *c, struct vmcs_shadow *s)
{
	memset(c, 0, sizeof(*c));
	c->s = s;
	c->caps = &caps;
	c->fetch = cpu_fetch;
	c->bad_field = VMCS_FIELD_NONE;
}

static void die(const char *what, const struct verdict *full, const struct verdict *dirty)
{
	char a[32], b[32];

	verdict_format(full, a, sizeof(a));
	verdict_format(dirty, b, sizeof(b));
	fprintf(stderr, "fuzz_validate: %s: full %s (check %s, field %d, qual %llu), dirty %s (check %s, field %d, qual %llu)\n",
		what, a, full->check ? full->check->id : "-", full->field,
		(unsigned long long)full->qual, b, dirty->check ? dirty->check->id : "-",
		dirty->field, (unsigned long long)dirty->qual);
	abort();
}

/* One VM entry of both copies; returns true when it succeeded. */
static int enter(struct vmcs_shadow *f, struct vmcs_shadow *d)
{
	struct check_ctx cf, cd;
	struct verdict vf, vd;

	ctx_over(&cf, f);
	ctx_over(&cd, d);
	unsigned nf = validate_full(&cf, &vf);
	unsigned nd = validate_dirty(&cd, &vd);
	if (cf.undeclared_read || cd.undeclared_read)
		die("a predicate read an undeclared field", &vf, &vd);
	if (vf.kind != vd.kind || vf.code != vd.code || vf.qual != vd.qual)
		die("validate_dirty disagrees with validate_full", &vf, &vd);
	if (vf.check != vd.check || vf.field != vd.field || vf.value != vd.value)
		die("validate_dirty blames another check or field", &vf, &vd);
	if (nd > nf)
		die("validate_dirty ran more checks than validate_full", &vf, &vd);
	if (vf.kind != VERDICT_OK)
		return 0;
	shadow_on_entry_ok(f);
	shadow_on_entry_ok(d);
	return 1;
}

/* VM exit after a successful entry: the CPU holds the entered values. */
static void vm_exit(struct vmcs_shadow *f, struct vmcs_shadow *d)
{
	shadow_on_exit(f);
	shadow_on_exit(d);
	memcpy(cpu_val, d->val, sizeof(cpu_val));
}

static uint64_t apply(unsigned op, uint64_t old, uint64_t v)
{
	switch (op & 3) {
	case 1: return old | v;
	case 2: return old & v;
	case 3: return old ^ v;
	default: return v;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct check_ctx c;
	struct verdict v;

	(void)argc;
	(void)argv;
	baseline_ctx(&c, &base, &caps);
	validate_full(&c, &v);
	if (v.kind != VERDICT_OK || c.undeclared_read) {
		fprintf(stderr, "fuzz_validate: the baseline VMCS does not validate\n");
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmcs_shadow f, d;

	memcpy(&f, &base, sizeof(f));
	memcpy(&d, &base, sizeof(d));
	memcpy(cpu_val, base.val, sizeof(cpu_val));
	shadow_on_entry_ok(&d);
	for (size_t i = 0; i + RECORD <= size; i += RECORD) {
		enum vmcs_field fld = (enum vmcs_field)(data[i] % VMCS_FIELD_COUNT);
		uint64_t v;
		uint8_t op = data[i + 9];

		memcpy(&v, data + i + 1, 8);
		/* The VMM reads (VMREAD, served from the shadow when known)
		 * before a read-modify-write. */
		uint64_t old = shadow_known(&d, fld) ? shadow_get(&d, fld) : cpu_val[fld];
		shadow_write(&f, fld, apply(op, old, v));
		shadow_write(&d, fld, apply(op, old, v));
		if ((op & OP_ENTER) && enter(&f, &d) && (op & OP_EXIT))
			vm_exit(&f, &d);
	}
	enter(&f, &d);
	return 0;
}
