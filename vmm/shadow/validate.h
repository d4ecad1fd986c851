/* VM-entry validation against the shadow: run the entry-check table in
 * order, all of it (VMLAUNCH / first entry) or only the checks that read a
 * dirty field (VMRESUME), and stop at the first failure with a verdict that
 * says what the processor would do. Pure C. */
#ifndef SHADOW_VALIDATE_H
#define SHADOW_VALIDATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86/vmcs_fields.h"
#include "vmm/shadow/vmcs_shadow.h"
#include "arch/x86/vmx_caps.h"

struct entry_check;

struct check_ctx {
	struct vmcs_shadow *s;          /* values; unknown fields are fetched */
	const struct vmx_caps *caps;
	/* Read a field the shadow does not know (a VMREAD in the hypervisor);
	 * may be NULL: then unknown fields read as 0. */
	uint64_t (*fetch)(void *opaque, enum vmcs_field f);
	void *opaque;
	/* For the link-pointer row, which the processor checks against memory:
	 * the first dword of the page at physical address pa, and whether pa
	 * is the current VMCS. False where the page is not the VMM's own to
	 * read (the row then checks the address alone). May be NULL (the same). */
	bool (*link_page)(void *opaque, uint64_t pa, uint32_t *first, bool *current);
	/* For the PDPTE row without EPT, where the processor loads the four
	 * PDPTEs from guest CR3 (guest-physical is host-physical then): the
	 * 32 bytes at pa. False where they are not in the VMM's own pages (the
	 * row then cannot judge them and passes). May be NULL (the same). */
	bool (*pdpt)(void *opaque, uint64_t pa, uint64_t pdpte[4]);
	/* For the VM-entry MSR-load row: the 16-byte entry at pa, from the
	 * VMM's own pages only (false elsewhere: the row then passes). May be
	 * NULL (the same). */
	bool (*msr_entry)(void *opaque, uint64_t pa, uint64_t entry[2]);
	uint64_t bad_qual;              /* set by a failing row whose qualification varies */
	uint64_t bad_detail;            /* ...and what it found there (verdict.detail) */
	const struct entry_check *current; /* set while a predicate runs */
	enum vmcs_field bad_field;      /* set by a failing predicate */
	bool undeclared_read;           /* a predicate read a field not in reads[] */
	/* Skip the undeclared-read audit (the hypervisor's entries: the
	 * unit tests and fuzzers audit every check on every mutation). */
	bool no_audit;
	/* The VM's memos of dirty-field validation (validate_dirty); NULL:
	 * validate_memo_shared. */
	struct validate_memos *memo;
};

/* The only way predicates read fields: fetches and shadow_fill()s unknown
 * ones, and flags reads the running check did not declare (unless
 * no_audit). */
__attribute__((cold)) uint64_t check_field_slow(struct check_ctx *c, enum vmcs_field f);
static inline uint64_t check_field(struct check_ctx *c, enum vmcs_field f)
{
	if (c->no_audit && shadow_known(c->s, f))
		return shadow_get(c->s, f);
	return check_field_slow(c, f);
}

enum verdict_kind { VERDICT_OK, VERDICT_VMFAIL, VERDICT_ENTRYFAIL };

struct verdict {
	enum verdict_kind kind;
	uint32_t code;                  /* VMfailValid error 7/8, or exit reason 33/34 */
	uint64_t qual;                  /* exit qualification of an entry failure */
	const struct entry_check *check; /* the failing check, NULL when ok */
	enum vmcs_field field;          /* the offending field, or VMCS_FIELD_NONE */
	uint64_t value;                 /* its value */
	/* The MSR-load row's failing entry (bits 63:0 of its first quadword:
	 * the MSR index), where qual names an entry; 0 otherwise. */
	uint64_t detail;
};

static inline void verdict_ok(struct verdict *v)
{
	v->kind = VERDICT_OK;
	v->code = 0;
	v->qual = 0;
	v->check = NULL;
	v->field = VMCS_FIELD_NONE;
	v->value = 0;
}

/* Fill in the verdict of a check that failed; false. */
bool validate_fail(struct check_ctx *c, const struct entry_check *chk, struct verdict *v);

/* Every check in table order, stopping at the first failure.
 * Returns the number of checks run. */
unsigned validate_full(struct check_ctx *c, struct verdict *v);

/* The checks of a dirty set, in table order (indices into validate_rows):
 * a VM that keeps writing the same fields between entries (RIP after every
 * CPUID; RIP and the preemption timer at a slice's start; RIP and RAX after
 * a hypercall) reuses the list. Each VM has its own few (struct
 * validate_memos, in struct vm), so switching VMs or alternating dirty sets
 * rebuilds nothing. A zeroed memo is the empty dirty set's: consistent. */
#define VALIDATE_MAX_CHECKS 256
#define VALIDATE_MEMO_SETS 4
struct validate_memo {
	uint64_t dirty[SHADOW_WORDS];
	uint16_t len;
	uint8_t idx[VALIDATE_MAX_CHECKS];
};
struct validate_memos {
	struct validate_memo set[VALIDATE_MEMO_SETS];
	uint8_t last;               /* the set the last validation used */
	uint8_t next;               /* the set a new dirty set replaces */
	uint32_t rebuilds;          /* lists built (make bench) */
};
/* Where check_ctx.memo is NULL (tests, fuzzers, the differential mode). */
extern struct validate_memos validate_memo_shared;
/* The entry-check table, flat, as the memos index it. */
extern const struct entry_check *validate_rows[VALIDATE_MAX_CHECKS];
/* Build the table's inverse (which checks read which field) now rather
 * than at the first VMRESUME: before several CPUs validate at once. */
void validate_init(void);
/* Find or build the list for the shadow's dirty set, then validate. */
unsigned validate_dirty_slow(struct check_ctx *c, struct validate_memos *m, struct verdict *v);
/* validate_dirty itself (only the checks that read at least one dirty
 * field, same order and stopping rule as validate_full) is inline in
 * validate_dirty.h. */

/* "ok", "vmfail:7", "entryfail:33" into buf (always NUL-terminated when
 * size > 0). Returns the length of the full string, like snprintf. */
size_t verdict_format(const struct verdict *v, char *buf, size_t size);

#endif
