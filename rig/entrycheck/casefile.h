/* Differential-mode case lines (docs: README "Differential mode"):
 *   FIELD OP VALUE [...] expect=OUTCOME [departure=SDM-SECTION]
 *                        [entry=launch|resume] [probe=prot32|long64|real16]
 *                        [ifallowed=OUTCOME]
 *   op=LIFECYCLE-OP expect=OUTCOME
 * FIELD is a vmcs_fields.def name or a 0xNNNN encoding; OP is = |= &= ^=;
 * OUTCOME is ok, vmfail:N, vmfail_invalid, entryfail:N or entryfail:N:Q.
 * ifallowed=OUTCOME: the expectation depends on the CPU model; when its
 * capability MSRs allow every VM-execution, VM-exit and VM-entry control
 * the case leaves set, the SDM expects OUTCOME instead of expect=.
 * '#' starts a comment. Pure C. */
#ifndef RIG_CASEFILE_H
#define RIG_CASEFILE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86/vmcs_fields.h"

#define CASE_MAX_WRITES 32
#define CASE_MAX_MSRS   4

enum case_op { CASE_SET, CASE_OR, CASE_AND, CASE_XOR };

struct case_write {
	enum vmcs_field field;
	enum case_op op;
	uint64_t value;
};

#define LIFE_OPS(X)                        \
	X(none)                            \
	X(vmlaunch_launched)               \
	X(vmresume_clear)                  \
	X(vmclear_unaligned)               \
	X(vmclear_beyond_maxphyaddr)       \
	X(vmclear_vmxon)                   \
	X(vmptrld_unaligned)               \
	X(vmptrld_beyond_maxphyaddr)       \
	X(vmptrld_vmxon)                   \
	X(vmptrld_bad_revision)            \
	X(vmlaunch_movss)                  \
	X(vmresume_movss)

enum life_op {
#define X(name) LIFE_OP_##name,
	LIFE_OPS(X)
#undef X
	LIFE_OP_COUNT
};

/* An entry's outcome, predicted or real. */
enum outcome_kind { OUT_OK, OUT_VMFAIL, OUT_VMFAIL_INVALID, OUT_ENTRYFAIL, OUT_ERROR };

struct outcome {
	enum outcome_kind kind;
	uint32_t code;    /* VM-instruction error, or basic exit reason */
	uint64_t qual;    /* exit qualification of an entry failure */
};

/* The probe guest a case runs on (probe=), by its mode: prot32 (the
 * default), long64 (its exit saves a RIP above 4 GiB), real16. */
#define CASE_PROBES(X) X(prot32) X(long64) X(real16)
enum case_probe {
#define X(name) PROBE_##name,
	CASE_PROBES(X)
#undef X
	PROBE_COUNT
};

/* What the VMCS link pointer names (link=): nothing (the set-up's ~0), a
 * VMM page holding the VMCS revision identifier, the same with bit 31 (the
 * shadow-VMCS indicator), one holding a wrong revision, or the current
 * VMCS itself. */
#define CASE_LINKS(X) X(none) X(page) X(shadow) X(badrev) X(current)
enum case_link {
#define X(name) LINK_##name,
	CASE_LINKS(X)
#undef X
	LINK_COUNT
};

/* A page-directory-pointer table for a case without EPT (pdpt=): guest CR3
 * (the case's first write after link=) names a VMM page holding four
 * not-present PDPTEs (zero), four present ones pointing to an empty page
 * directory (present), or those with reserved bit 1 set in the first
 * (reserved). */
#define CASE_PDPTS(X) X(none) X(zero) X(present) X(reserved)
enum case_pdpt {
#define X(name) PDPT_##name,
	CASE_PDPTS(X)
#undef X
	PDPT_COUNT
};

struct ec_case {
	struct case_write w[CASE_MAX_WRITES];
	unsigned nw;
	enum life_op life;
	struct outcome expect;
	struct outcome if_allowed;   /* ifallowed=, when has_if_allowed */
	bool has_if_allowed;
	char departure[32];   /* SDM section of a known emulator departure, or "" */
	bool resume;          /* entry=resume: the writes after a VM exit, then VMRESUME */
	enum case_probe probe;
	enum case_link link;
	enum case_pdpt pdpt;
	/* msrs=INDEX:VALUE[,...]: a VM-entry MSR-load area of these entries
	 * (bits 63:0 of each entry's first quadword, then its value). */
	uint64_t msr[CASE_MAX_MSRS][2];
	unsigned nmsr;
};

enum case_parse { CASE_EMPTY, CASE_OK, CASE_BAD };

enum case_parse case_parse_line(const char *line, size_t len, struct ec_case *c, char *err, size_t errlen);
/* "ok", "vmfail:7", "vmfail_invalid", "entryfail:33", "entryfail:33:4". */
size_t outcome_format(const struct outcome *o, char *buf, size_t size);
bool outcome_equal(const struct outcome *a, const struct outcome *b);
uint64_t case_apply(enum case_op op, uint64_t old, uint64_t v);
const char *life_op_name(enum life_op op);
const char *case_probe_name(enum case_probe p);
const char *case_link_name(enum case_link l);
const char *case_pdpt_name(enum case_pdpt p);

/* Whether the capabilities allow every pin-based, processor-based (and,
 * when activated, secondary), VM-exit and VM-entry control the VMCS holds
 * (ifallowed=). */
struct vmx_caps;
struct vmcs_shadow;
bool case_controls_allowed(const struct vmx_caps *caps, const struct vmcs_shadow *s);

#endif
