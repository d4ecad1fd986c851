/* libFuzzer harness: the differential-mode case-line parser
 * (rig/entrycheck/casefile.c, case_parse_line) on arbitrary bytes.
 *
 * Byte 0 sizes the error buffer (1..64 bytes, allocated exactly so that
 * ASan sees any write past it); the rest is the line. The parser must not
 * crash, must always NUL-terminate err, and when it says CASE_OK the case
 * must be well formed: at most CASE_MAX_WRITES writes, each to a real,
 * writable field with a known op, a known life-cycle op, a departure that
 * is a C string, and an outcome that formats. An accepted case is then run
 * the way differential mode runs it: applied to the valid baseline, where
 * validate_dirty must agree with validate_full. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/baseline.h"
#include "rig/entrycheck/casefile.h"
#include "vmm/shadow/validate.h"
#include "vmm/shadow/validate_dirty.h"

static struct vmx_caps caps;
static struct vmcs_shadow base;

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_casefile: %s\n", what);
		abort();
	}
}

static void check_case(const struct ec_case *c)
{
	check(c->nw <= CASE_MAX_WRITES, "more than CASE_MAX_WRITES writes");
	check(c->life < LIFE_OP_COUNT, "life-cycle op out of range");
	check(c->link < LINK_COUNT && c->pdpt < PDPT_COUNT, "link= or pdpt= out of range");
	check(c->nmsr <= CASE_MAX_MSRS, "more than CASE_MAX_MSRS MSR entries");
	check(c->probe < PROBE_COUNT, "probe= out of range");
	for (unsigned i = c->nmsr; i < CASE_MAX_MSRS; i++)
		check(c->msr[i][0] == 0 && c->msr[i][1] == 0, "an MSR entry past nmsr");
	for (unsigned i = 0; c->nmsr && i < c->nw; i++)
		check(c->w[i].field != VMCS_entry_msr_load_count && c->w[i].field != VMCS_entry_msr_load_addr,
		      "msrs= together with writes of the MSR-load area");
	bool state = c->nw || c->link != LINK_none || c->pdpt != PDPT_none || c->nmsr;
	check((c->life == LIFE_OP_none) == state,
	      "a case is field writes (or link=/pdpt=/msrs=) or an op=, not both, not neither");
	check(memchr(c->departure, '\0', sizeof(c->departure)) != NULL, "departure not terminated");
	check(c->expect.kind <= OUT_ENTRYFAIL, "outcome kind out of range");
	for (unsigned i = 0; i < c->nw; i++) {
		const struct case_write *w = &c->w[i];

		check(w->field >= 0 && w->field < VMCS_FIELD_COUNT, "write to an invalid field");
		check(vmcs_field_table[w->field].kind != RO, "write to a read-only field");
		check(w->op <= CASE_XOR, "write op out of range");
	}
	char out[48];
	size_t n = outcome_format(&c->expect, out, sizeof(out));
	check(n < sizeof(out) && strlen(out) == n, "outcome_format");
}

/* The case on a fresh baseline: full and incremental validation agree. */
static void run_case(const struct ec_case *c)
{
	struct vmcs_shadow f, d;
	struct check_ctx cf, cd;
	struct verdict vf, vd;

	memcpy(&f, &base, sizeof(f));
	shadow_on_entry_ok(&f);
	for (unsigned i = 0; i < c->nw; i++) {
		const struct case_write *w = &c->w[i];

		shadow_write(&f, w->field, case_apply(w->op, shadow_get(&f, w->field), w->value));
	}
	memcpy(&d, &f, sizeof(d));
	memset(&cf, 0, sizeof(cf));
	cf.s = &f;
	cf.caps = &caps;
	cf.bad_field = VMCS_FIELD_NONE;
	cd = cf;
	cd.s = &d;
	unsigned nf = validate_full(&cf, &vf);
	unsigned nd = validate_dirty(&cd, &vd);
	check(!cf.undeclared_read && !cd.undeclared_read, "a predicate read an undeclared field");
	check(vf.kind == vd.kind && vf.code == vd.code && vf.qual == vd.qual && vf.check == vd.check,
	      "validate_dirty disagrees with validate_full");
	check(nd <= nf, "validate_dirty ran more checks than validate_full");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct check_ctx c;

	(void)argc;
	(void)argv;
	baseline_ctx(&c, &base, &caps);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ec_case c;

	if (size < 1)
		return 0;
	size_t errlen = 1 + data[0] % 64;
	char *err = malloc(errlen);
	/* The line in its own exact-size allocation: reads past len are caught. */
	char *line = malloc(size - 1 ? size - 1 : 1);

	memcpy(line, data + 1, size - 1);
	enum case_parse r = case_parse_line(line, size - 1, &c, err, errlen);
	check(r == CASE_EMPTY || r == CASE_OK || r == CASE_BAD, "unknown parse result");
	check(memchr(err, '\0', errlen) != NULL, "err not NUL-terminated");
	check(r != CASE_BAD || err[0] != '\0' || errlen == 1, "CASE_BAD without a reason");
	if (r == CASE_OK) {
		check_case(&c);
		run_case(&c);
	}
	free(line);
	free(err);
	return 0;
}
