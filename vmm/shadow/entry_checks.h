/* The SDM's VM-entry checks (Vol. 3C chapter 27) as one ordered table:
 * controls (VMfailValid 7), then host state (VMfailValid 8), then guest
 * state (VM-entry failure, exit reason 33). Each row names the VMCS fields
 * its predicate reads, so a VMRESUME need only rerun the rows that read a
 * field written since the last successful entry. Pure C. */
#ifndef SHADOW_ENTRY_CHECKS_H
#define SHADOW_ENTRY_CHECKS_H
#include <stdbool.h>
#include <stdint.h>
#include "vmcs_fields.h"
#include "validate.h"

/* Fields a row may read, VMCS_FIELD_NONE-terminated. */
#define ENTRY_CHECK_MAX_READS 10

struct entry_check {
	const char *id;        /* stable trace name, e.g. "guest.cs.ar.type" */
	const char *sdm;       /* SDM Vol. 3C section, e.g. "27.3.1.2" */
	enum vmcs_field reads[ENTRY_CHECK_MAX_READS];
	/* true when the rule holds; on failure sets c->bad_field */
	bool (*ok)(struct check_ctx *c);
	enum verdict_kind kind; /* VERDICT_VMFAIL or VERDICT_ENTRYFAIL */
	uint32_t code;          /* error 7/8 or exit reason 33/34 */
	uint64_t qual;          /* exit qualification (entry failures) */
	unsigned arg;           /* which segment, for the per-segment rows */
};

unsigned entry_check_count(void);
/* The i-th check in validation order; NULL past the end. */
const struct entry_check *entry_check_at(unsigned i);
/* NULL when no row has this id. */
const struct entry_check *entry_check_by_id(const char *id);
bool entry_check_reads(const struct entry_check *chk, enum vmcs_field f);

#endif
