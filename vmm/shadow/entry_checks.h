/* The SDM's VM-entry checks (Vol. 3C chapter 27) as one ordered table:
 * controls (VMfailValid 7), then host state (VMfailValid 8), then guest
 * state (VM-entry failure, exit reason 33). Each row names the VMCS fields
 * its predicate reads, so a VMRESUME need only rerun the rows that read a
 * field written since the last successful entry. Pure C. */
#ifndef SHADOW_ENTRY_CHECKS_H
#define SHADOW_ENTRY_CHECKS_H
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/vmcs_fields.h"
#include "arch/x86/vmx_controls.h"
#include "vmm/shadow/validate.h"

/* The bits that make a guest's mode (the "IA-32e mode guest" entry
 * control, CS.L, CR0.PG, CR4.PAE) are in arch/x86/vmx_controls.h. */

/* Fields a row may read, VMCS_FIELD_NONE-terminated. */
#define ENTRY_CHECK_MAX_READS 12

struct entry_check {
	const char *id;        /* stable trace name, e.g. "guest.cs.ar.type" */
	const char *sdm;       /* SDM Vol. 3C section, e.g. "27.3.1.2" */
	enum vmcs_field reads[ENTRY_CHECK_MAX_READS];
	/* true when the rule holds; on failure sets c->bad_field */
	bool (*ok)(struct check_ctx *c);
	enum verdict_kind kind; /* VERDICT_VMFAIL or VERDICT_ENTRYFAIL */
	uint32_t code;          /* error 7/8 or exit reason 33/34 */
	uint64_t qual;          /* exit qualification (entry failures) */
	bool qual_varies;       /* the qualification is the row's (c->bad_qual) */
	unsigned arg;           /* which segment, for the per-segment rows */
};

unsigned entry_check_count(void);
/* The i-th check in validation order; NULL past the end. */
const struct entry_check *entry_check_at(unsigned i);
/* NULL when no row has this id. */
const struct entry_check *entry_check_by_id(const char *id);
bool entry_check_reads(const struct entry_check *chk, enum vmcs_field f);

/* Bits 63:n of `a` all equal, for n in 0..63 (at 63 nothing to check). */
static inline bool addr_top_same(uint64_t a, unsigned n)
{
	return (uint64_t)(((int64_t)a >> n) + 1) <= 1;
}

/* addr_top_same's n for "bits 63:N identical" on a processor whose linear
 * addresses are N bits wide: N, or 63 where N = 64 (no check). */
static inline unsigned linaddr_shift(unsigned n)
{
	return n > 63 ? 63 : n;
}

/* Canonical for a processor with linear-address width n (48, or 57 with
 * 5-level paging): bits 63:n-1 all equal. */
static inline bool addr_canonical(uint64_t a, unsigned n)
{
	return addr_top_same(a, n - 1);
}

/* The guest.rip.high row's rule (27.3.1.4): RIP bits 63:32 are 0 outside
 * 64-bit mode; inside it, bits 63:n are identical, where n is the linear-
 * address width. Not canonical: bit n-1 may differ from bit n. A RIP such
 * as 0x0000800000000000 (an instruction that ends at the top of the lower
 * half) enters, and the guest's next fetch raises #GP, as it would without
 * VMX. The SDM says so since Intel clarified it in 2023 ("The guest RIP
 * value is not required to be canonical"); Xen's XSA-170 fix had assumed
 * a canonical check and was reverted for it. */
static inline bool entry_rip_ok(uint64_t rip, bool long_mode, unsigned n)
{
	return long_mode ? addr_top_same(rip, linaddr_shift(n)) : (rip >> 32) == 0;
}
/* A RIP below 4 GiB meets both rules: for it the row's verdict does not
 * depend on the mode, so the row reads neither the "IA-32e mode guest"
 * control nor CS. */
static inline bool entry_rip_low(uint64_t rip)
{
	return (rip >> 32) == 0;
}
/* The row's verdict, where it needs no read, on a RIP the VMM writes
 * after a VM exit that saved RIP `saved`, while the shadow knows neither
 * the "IA-32e mode guest" control nor CS (as after every exit until the
 * VMM writes them): true below 4 GiB, in any mode; true at or above 4 GiB
 * for a RIP that meets the 64-bit rule when the exit saved a RIP there
 * (64-bit mode at the exit: shadow_fill) and IA32_VMX_MISC has bit 5
 * (`lma_saved`). `shift` is linaddr_shift of the linear-address width,
 * worked out once by the caller. False otherwise: the row would read the
 * mode, or fail. The scheduler's replay (vmm/sched.c) takes exactly these
 * RIPs. */
static inline bool entry_rip_passes_unread(uint64_t saved, uint64_t rip, bool lma_saved, unsigned shift)
{
	return entry_rip_low(rip) || ((saved >> 32) && lma_saved && addr_top_same(rip, shift));
}
/* That row. */
extern const struct entry_check *const entry_check_guest_rip;

#endif
