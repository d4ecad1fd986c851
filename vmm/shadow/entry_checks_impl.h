/* Private to the entry_checks*.c files: control bit names, the row macro,
 * and small helpers the predicates share. Bit positions are from SDM
 * Vol. 3C chapter 25 (VMCS control fields) and Vol. 3D Appendix A. */
#ifndef SHADOW_ENTRY_CHECKS_IMPL_H
#define SHADOW_ENTRY_CHECKS_IMPL_H
#include "entry_checks.h"
#include "validate.h"

/* Pin-based VM-execution controls */
#define PIN_EXT_INT        (1u << 0)
#define PIN_NMI            (1u << 3)
#define PIN_VIRTUAL_NMI    (1u << 5)
#define PIN_PREEMPT_TIMER  (1u << 6)
/* Primary processor-based VM-execution controls */
#define PROC_TPR_SHADOW    (1u << 21)
#define PROC_NMI_WINDOW    (1u << 22)
#define PROC_IO_BITMAPS    (1u << 25)
#define PROC_MTF           (1u << 27)
#define PROC_MSR_BITMAPS   (1u << 28)
#define PROC_SECONDARY     (1u << 31)
/* Secondary processor-based VM-execution controls */
#define PROC2_APIC_ACCESS  (1u << 0)
#define PROC2_EPT          (1u << 1)
#define PROC2_X2APIC       (1u << 4)
#define PROC2_VPID         (1u << 5)
#define PROC2_UG           (1u << 7)
#define PROC2_APIC_REG     (1u << 8)
#define PROC2_VID          (1u << 9)
#define PROC2_VMFUNC       (1u << 13)
#define PROC2_VMCS_SHADOW  (1u << 14)
#define PROC2_PML          (1u << 17)
#define PROC2_EPT_VE       (1u << 18)
#define PROC2_MBEC         (1u << 22)
#define PROC2_TSC_SCALING  (1u << 25)
/* VM-function controls */
#define VMFUNC_EPTP_SWITCH (1ull << 0)
/* VM-exit controls */
#define EXIT_HOST_AS_SIZE  (1u << 9)
#define EXIT_LOAD_PERF     (1u << 12)
#define EXIT_LOAD_PAT      (1u << 19)
#define EXIT_LOAD_EFER     (1u << 21)
#define EXIT_SAVE_PREEMPT  (1u << 22)
/* VM-entry controls */
#define ENTRY_LOAD_DEBUG   (1u << 2)
#define ENTRY_SMM          (1u << 10)
#define ENTRY_LOAD_PERF    (1u << 13)
#define ENTRY_DUAL_MONITOR (1u << 11)
#define ENTRY_LOAD_PAT     (1u << 14)
#define ENTRY_LOAD_EFER    (1u << 15)
/* Control registers, RFLAGS, EFER */
#define CR0_PE             (1ull << 0)
#define CR4_LA57           (1ull << 12)
#define CR4_PCIDE          (1ull << 17)
#define RFLAGS_TF          (1ull << 8)
#define RFLAGS_IF          (1ull << 9)
#define RFLAGS_VM          (1ull << 17)
#define EFER_LME           (1ull << 8)
#define EFER_LMA           (1ull << 10)
#define EFER_VALID         ((1ull << 0) | (1ull << 8) | EFER_LMA | (1ull << 11))
/* VM-entry interruption-information field (SDM 25.8.3) */
#define INTR_VALID         (1u << 31)
#define INTR_DELIVER_ERR   (1u << 11)
#define INTR_TYPE(x)       (((x) >> 8) & 7)
#define INTR_VECTOR(x)     ((x) & 0xff)
enum { INTR_EXT = 0, INTR_NMI = 2, INTR_HW_EXC = 3, INTR_SW_INT = 4,
       INTR_PRIV_SW_EXC = 5, INTR_SW_EXC = 6, INTR_OTHER = 7 };
/* IA32_VMX_MISC (SDM Vol. 3D A.6) */
#define MISC_ACTIVITY_HLT      (1ull << 6)
#define MISC_INJECT_ZERO_LEN   (1ull << 30)
/* IA32_VMX_EPT_VPID_CAP (SDM Vol. 3D A.10) */
#define EPTCAP_WALK4       (1ull << 6)
#define EPTCAP_WALK5       (1ull << 7)
#define EPTCAP_UC          (1ull << 8)
#define EPTCAP_WB          (1ull << 14)
#define EPTCAP_AD          (1ull << 21)

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
extern const struct entry_check entry_checks_host[];
extern const unsigned entry_checks_host_count;
extern const struct entry_check entry_checks_guest[];
extern const unsigned entry_checks_guest_count;
extern const struct entry_check entry_checks_seg[];
extern const unsigned entry_checks_seg_count;
extern const struct entry_check entry_checks_state[];
extern const unsigned entry_checks_state_count;

#endif
