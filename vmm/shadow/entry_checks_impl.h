/* Private to the entry_checks*.c files: control bit names, the row macro,
 * and small helpers the predicates share. Bit positions are from SDM
 * Vol. 3C chapter 25 (VMCS control fields) and Vol. 3D Appendix A. */
#ifndef SHADOW_ENTRY_CHECKS_IMPL_H
#define SHADOW_ENTRY_CHECKS_IMPL_H
#include "vmm/shadow/entry_checks.h"
#include "vmm/shadow/validate.h"


/* Failure kinds, as the initialiser part of a row. */
#define FAIL_CTL     .kind = VERDICT_VMFAIL, .code = 7
#define FAIL_HOST    .kind = VERDICT_VMFAIL, .code = 8
#define FAIL_GUEST   .kind = VERDICT_ENTRYFAIL, .code = 33
#define FAIL_GUEST_Q(q) .kind = VERDICT_ENTRYFAIL, .code = 33, .qual = (q)
/* VM-entry failure while loading MSRs: the qualification names the entry. */
#define FAIL_MSR     .kind = VERDICT_ENTRYFAIL, .code = 34, .qual_varies = true

/* One table row: id, SDM section, predicate, failure, fields read. */
#define CHECK(id_, sdm_, fn_, fail_, ...) \
	{ .id = (id_), .sdm = (sdm_), .ok = (fn_), fail_, \
	  .reads = { __VA_ARGS__, VMCS_FIELD_NONE } }

#define F(name) check_field(c, VMCS_##name)

static inline bool check_fail(struct check_ctx *c, enum vmcs_field f)
{
	c->bad_field = f;
	return false;
}

/* Secondary controls count only when "activate secondary controls" is 1
 * (SDM 25.6.2); rows using this must read both control fields. */
static inline uint32_t ctl_proc2(struct check_ctx *c)
{
	if (!(F(proc_controls) & PROC_SECONDARY))
		return 0;
	return (uint32_t)F(proc_controls2);
}

static inline bool ctl_fits(struct vmx_ctl_cap cap, uint64_t v)
{
	return (v & cap.must_be_1) == cap.must_be_1 && !(v & ~(uint64_t)cap.may_be_1);
}

/* No bit set at or beyond MAXPHYADDR. */
static inline bool addr_fits(const struct check_ctx *c, uint64_t a)
{
	unsigned n = c->caps->maxphyaddr;
	return n >= 64 || (a >> n) == 0;
}

/* Canonical for this processor's linear-address width (SDM Vol. 1 3.3.7.1). */
static inline bool canonical(const struct check_ctx *c, uint64_t a)
{
	return addr_canonical(a, vmx_linaddr_bits(c->caps));
}

static inline bool page_addr_ok(const struct check_ctx *c, uint64_t a)
{
	return (a & 0xfff) == 0 && addr_fits(c, a);
}

/* Every byte of a PAT value is a valid memory type: 0, 1, 4, 5, 6, 7. */
static inline bool pat_ok(uint64_t pat)
{
	for (int i = 0; i < 8; i++) {
		unsigned t = (pat >> (8 * i)) & 0xff;
		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

extern const struct entry_check entry_checks_ctl[];
extern const unsigned entry_checks_ctl_count;
extern const struct entry_check entry_checks_exit_entry[];
extern const unsigned entry_checks_exit_entry_count;
extern const struct entry_check entry_checks_host[];
extern const unsigned entry_checks_host_count;
extern const struct entry_check entry_checks_guest[];
extern const unsigned entry_checks_guest_count;
extern const struct entry_check entry_checks_seg[];
extern const unsigned entry_checks_seg_count;
extern const struct entry_check entry_checks_state[];
extern const unsigned entry_checks_state_count;

#endif
