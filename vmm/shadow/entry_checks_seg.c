/* Checks on guest segment registers (SDM Vol. 3C 27.3.1.2) and descriptor-
 * table registers (27.3.1.3). A failure is a VM-entry failure, exit reason
 * 33, qualification 0. Rows that apply to several segments share one
 * predicate; the row's arg says which segment. Access rights (AR) layout,
 * SDM 25.4.1: type 3:0, S 4, DPL 6:5, P 7, L 13, D/B 14, G 15, unusable 16. */
#include "vmm/shadow/entry_checks_impl.h"

enum seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

struct seg_fields {
	enum vmcs_field sel, base, limit, ar;
};

#define SEG_FIELDS(s) { VMCS_guest_##s##_sel, VMCS_guest_##s##_base, \
			VMCS_guest_##s##_limit, VMCS_guest_##s##_ar }
static const struct seg_fields segs[] = {
	[SEG_ES] = SEG_FIELDS(es), [SEG_CS] = SEG_FIELDS(cs),
	[SEG_SS] = SEG_FIELDS(ss), [SEG_DS] = SEG_FIELDS(ds),
	[SEG_FS] = SEG_FIELDS(fs), [SEG_GS] = SEG_FIELDS(gs),
	[SEG_LDTR] = SEG_FIELDS(ldtr), [SEG_TR] = SEG_FIELDS(tr),
};


static const struct seg_fields *seg_this(struct check_ctx *c)
{
	return &segs[c->current->arg];
}

static bool v86(struct check_ctx *c)
{
	return F(guest_rflags) & RFLAGS_VM;
}

static bool usable(struct check_ctx *c, enum seg s)
{
	return !(check_field(c, segs[s].ar) & AR_UNUSABLE);
}

/* Whether the AR rules for protected-mode guests apply to this row's
 * segment: TR always; LDTR if usable; CS if not virtual-8086; the others
 * if not virtual-8086 and usable. */
static bool seg_applies(struct check_ctx *c)
{
	enum seg s = (enum seg)c->current->arg;
	if (s == SEG_TR)
		return true;
	if (s == SEG_LDTR)
		return usable(c, s);
	if (v86(c))
		return false;
	return s == SEG_CS || usable(c, s);
}

/* Selector fields */

static bool tr_ti(struct check_ctx *c)
{
	return !(F(guest_tr_sel) & 4) || check_fail(c, VMCS_guest_tr_sel);
}

static bool ldtr_ti(struct check_ctx *c)
{
	return !usable(c, SEG_LDTR) || !(F(guest_ldtr_sel) & 4) ||
	       check_fail(c, VMCS_guest_ldtr_sel);
}

static bool ss_rpl(struct check_ctx *c)
{
	if (v86(c) || (ctl_proc2(c) & PROC2_UNRESTRICTED))
		return true;
	return (F(guest_ss_sel) & 3) == (F(guest_cs_sel) & 3) ||
	       check_fail(c, VMCS_guest_ss_sel);
}

/* Virtual-8086 guest: base = selector << 4, limit 0xffff, AR 0xf3. */
static bool v86_seg(struct check_ctx *c)
{
	const struct seg_fields *s = seg_this(c);
	if (!v86(c))
		return true;
	if (check_field(c, s->base) != check_field(c, s->sel) << 4)
		return check_fail(c, s->base);
	if (check_field(c, s->limit) != 0xffff)
		return check_fail(c, s->limit);
	return check_field(c, s->ar) == 0xf3 || check_fail(c, s->ar);
}

/* Base-address fields (64-bit processors): TR, FS, GS canonical; LDTR
 * canonical if usable; CS bits 63:32 zero; SS, DS, ES too if usable. */
static bool base_canonical(struct check_ctx *c)
{
	enum seg s = (enum seg)c->current->arg;
	if (s == SEG_LDTR && !usable(c, s))
		return true;
	return canonical(c, check_field(c, segs[s].base)) || check_fail(c, segs[s].base);
}

static bool base_high(struct check_ctx *c)
{
	enum seg s = (enum seg)c->current->arg;
	if (s != SEG_CS && !usable(c, s))
		return true;
	return (check_field(c, segs[s].base) >> 32) == 0 || check_fail(c, segs[s].base);
}

/* Access rights */

static bool ar_type(struct check_ctx *c)
{
	const struct seg_fields *f = seg_this(c);
	enum seg s = (enum seg)c->current->arg;
	if (!seg_applies(c))
		return true;
	unsigned t = AR_TYPE(check_field(c, f->ar));
	bool ok;
	switch (s) {
	case SEG_CS:
		ok = t == 9 || t == 11 || t == 13 || t == 15 ||
		     (t == 3 && (ctl_proc2(c) & PROC2_UNRESTRICTED));
		break;
	case SEG_SS:
		ok = t == 3 || t == 7;
		break;
	case SEG_TR:
		ok = t == 11 || (t == 3 && !(F(entry_controls) & ENTRY_IA32E_GUEST));
		break;
	case SEG_LDTR:
		ok = t == 2;
		break;
	default: /* DS, ES, FS, GS: accessed; code segments readable */
		ok = (t & 1) && (!(t & 8) || (t & 2));
		break;
	}
	return ok || check_fail(c, f->ar);
}

/* S = 1 (code/data) for CS..GS; S = 0 (system) for TR and LDTR. */
static bool ar_s(struct check_ctx *c)
{
	const struct seg_fields *f = seg_this(c);
	enum seg s = (enum seg)c->current->arg;
	if (!seg_applies(c))
		return true;
	bool want = s != SEG_TR && s != SEG_LDTR;
	return !!(check_field(c, f->ar) & AR_S) == want || check_fail(c, f->ar);
}

static bool cs_dpl(struct check_ctx *c)
{
	if (v86(c))
		return true;
	uint64_t ar = F(guest_cs_ar);
	unsigned t = AR_TYPE(ar), dpl = AR_DPL(ar), ss = AR_DPL(F(guest_ss_ar));
	if ((t == 3 && dpl != 0) || ((t == 9 || t == 11) && dpl != ss) ||
	    ((t == 13 || t == 15) && dpl > ss))
		return check_fail(c, VMCS_guest_cs_ar);
	return true;
}

/* SS.DPL = SS.RPL unless unrestricted guest; 0 in real mode or with a
 * type-3 (data) CS. */
static bool ss_dpl(struct check_ctx *c)
{
	if (v86(c))
		return true;
	unsigned dpl = AR_DPL(F(guest_ss_ar));
	if (!(ctl_proc2(c) & PROC2_UNRESTRICTED) && dpl != (F(guest_ss_sel) & 3))
		return check_fail(c, VMCS_guest_ss_ar);
	if ((AR_TYPE(F(guest_cs_ar)) == 3 || !(F(guest_cr0) & CR0_PE)) && dpl != 0)
		return check_fail(c, VMCS_guest_ss_ar);
	return true;
}

/* DS, ES, FS, GS: DPL >= RPL for data and non-conforming code. */
static bool data_dpl(struct check_ctx *c)
{
	const struct seg_fields *f = seg_this(c);
	if (!seg_applies(c) || (ctl_proc2(c) & PROC2_UNRESTRICTED))
		return true;
	uint64_t ar = check_field(c, f->ar);
	if (AR_TYPE(ar) <= 11 && AR_DPL(ar) < (check_field(c, f->sel) & 3))
		return check_fail(c, f->ar);
	return true;
}

static bool ar_p(struct check_ctx *c)
{
	const struct seg_fields *f = seg_this(c);
	return !seg_applies(c) || (check_field(c, f->ar) & AR_P) || check_fail(c, f->ar);
}

static bool ar_reserved(struct check_ctx *c)
{
	const struct seg_fields *f = seg_this(c);
	return !seg_applies(c) || !(check_field(c, f->ar) & AR_RESERVED) ||
	       check_fail(c, f->ar);
}

/* A 64-bit code segment (IA-32e guest, CS.L = 1) has D/B = 0. */
static bool cs_db(struct check_ctx *c)
{
	if (v86(c) || !(F(entry_controls) & ENTRY_IA32E_GUEST))
		return true;
	uint64_t ar = F(guest_cs_ar);
	return !(ar & AR_L) || !(ar & AR_DB) || check_fail(c, VMCS_guest_cs_ar);
}

/* Limit and granularity agree: limit[11:0] not all ones => G = 0;
 * limit[31:20] not zero => G = 1. */
static bool ar_g(struct check_ctx *c)
{
	const struct seg_fields *f = seg_this(c);
	if (!seg_applies(c))
		return true;
	uint64_t lim = check_field(c, f->limit);
	bool g = check_field(c, f->ar) & AR_G;
	if (((lim & 0xfff) != 0xfff && g) || ((lim >> 20) != 0 && !g))
		return check_fail(c, f->ar);
	return true;
}

static bool tr_usable(struct check_ctx *c)
{
	return !(F(guest_tr_ar) & AR_UNUSABLE) || check_fail(c, VMCS_guest_tr_ar);
}

/* 27.3.1.3 descriptor-table registers */

static bool gdtr_base(struct check_ctx *c)
{
	return canonical(c, F(guest_gdtr_base)) || check_fail(c, VMCS_guest_gdtr_base);
}

static bool idtr_base(struct check_ctx *c)
{
	return canonical(c, F(guest_idtr_base)) || check_fail(c, VMCS_guest_idtr_base);
}

static bool gdtr_limit(struct check_ctx *c)
{
	return (F(guest_gdtr_limit) >> 16) == 0 || check_fail(c, VMCS_guest_gdtr_limit);
}

static bool idtr_limit(struct check_ctx *c)
{
	return (F(guest_idtr_limit) >> 16) == 0 || check_fail(c, VMCS_guest_idtr_limit);
}

#define S "27.3.1.2"
#define RF VMCS_guest_rflags
#define PROC VMCS_proc_controls
#define PROC2 VMCS_proc_controls2
#define G(s, what) VMCS_guest_##s##_##what
/* A per-segment row: .arg names the segment. */
#define SEGCHECK(id_, seg_, fn_, ...) \
	{ .id = (id_), .sdm = S, .ok = (fn_), FAIL_GUEST, .arg = (seg_), \
	  .reads = { __VA_ARGS__, VMCS_FIELD_NONE } }
/* Rows for a code/data segment register s (not CS). */
#define V86_ROW(s, S_) SEGCHECK("guest." #s ".v86", S_, v86_seg, \
	G(s, sel), G(s, base), G(s, limit), G(s, ar), RF)
#define DATA_ROWS(s, S_) \
	SEGCHECK("guest." #s ".ar.type", S_, ar_type, G(s, ar), RF), \
	SEGCHECK("guest." #s ".ar.s", S_, ar_s, G(s, ar), RF), \
	SEGCHECK("guest." #s ".ar.dpl", S_, data_dpl, G(s, ar), G(s, sel), RF, PROC, PROC2), \
	SEGCHECK("guest." #s ".ar.p", S_, ar_p, G(s, ar), RF), \
	SEGCHECK("guest." #s ".ar.reserved", S_, ar_reserved, G(s, ar), RF), \
	SEGCHECK("guest." #s ".ar.g", S_, ar_g, G(s, ar), G(s, limit), RF)
#define SYS_ROWS(s, S_, ...) \
	SEGCHECK("guest." #s ".ar.type", S_, ar_type, G(s, ar), __VA_ARGS__), \
	SEGCHECK("guest." #s ".ar.s", S_, ar_s, G(s, ar)), \
	SEGCHECK("guest." #s ".ar.p", S_, ar_p, G(s, ar)), \
	SEGCHECK("guest." #s ".ar.reserved", S_, ar_reserved, G(s, ar)), \
	SEGCHECK("guest." #s ".ar.g", S_, ar_g, G(s, ar), G(s, limit))

const struct entry_check entry_checks_seg[] = {
	CHECK("guest.tr.sel.ti", S, tr_ti, FAIL_GUEST, G(tr, sel)),
	CHECK("guest.ldtr.sel.ti", S, ldtr_ti, FAIL_GUEST, G(ldtr, sel), G(ldtr, ar)),
	CHECK("guest.ss.sel.rpl", S, ss_rpl, FAIL_GUEST,
	      G(ss, sel), G(cs, sel), RF, PROC, PROC2),
	V86_ROW(cs, SEG_CS), V86_ROW(ss, SEG_SS), V86_ROW(ds, SEG_DS),
	V86_ROW(es, SEG_ES), V86_ROW(fs, SEG_FS), V86_ROW(gs, SEG_GS),
	SEGCHECK("guest.tr.base", SEG_TR, base_canonical, G(tr, base)),
	SEGCHECK("guest.fs.base", SEG_FS, base_canonical, G(fs, base)),
	SEGCHECK("guest.gs.base", SEG_GS, base_canonical, G(gs, base)),
	SEGCHECK("guest.ldtr.base", SEG_LDTR, base_canonical, G(ldtr, base), G(ldtr, ar)),
	SEGCHECK("guest.cs.base", SEG_CS, base_high, G(cs, base)),
	SEGCHECK("guest.ss.base", SEG_SS, base_high, G(ss, base), G(ss, ar)),
	SEGCHECK("guest.ds.base", SEG_DS, base_high, G(ds, base), G(ds, ar)),
	SEGCHECK("guest.es.base", SEG_ES, base_high, G(es, base), G(es, ar)),
	SEGCHECK("guest.cs.ar.type", SEG_CS, ar_type, G(cs, ar), RF, PROC, PROC2),
	SEGCHECK("guest.cs.ar.s", SEG_CS, ar_s, G(cs, ar), RF),
	CHECK("guest.cs.ar.dpl", S, cs_dpl, FAIL_GUEST, G(cs, ar), G(ss, ar), RF),
	SEGCHECK("guest.cs.ar.p", SEG_CS, ar_p, G(cs, ar), RF),
	SEGCHECK("guest.cs.ar.reserved", SEG_CS, ar_reserved, G(cs, ar), RF),
	CHECK("guest.cs.ar.db", S, cs_db, FAIL_GUEST, G(cs, ar), VMCS_entry_controls, RF),
	SEGCHECK("guest.cs.ar.g", SEG_CS, ar_g, G(cs, ar), G(cs, limit), RF),
	SEGCHECK("guest.ss.ar.type", SEG_SS, ar_type, G(ss, ar), RF),
	SEGCHECK("guest.ss.ar.s", SEG_SS, ar_s, G(ss, ar), RF),
	CHECK("guest.ss.ar.dpl", S, ss_dpl, FAIL_GUEST,
	      G(ss, ar), G(ss, sel), G(cs, ar), VMCS_guest_cr0, RF, PROC, PROC2),
	SEGCHECK("guest.ss.ar.p", SEG_SS, ar_p, G(ss, ar), RF),
	SEGCHECK("guest.ss.ar.reserved", SEG_SS, ar_reserved, G(ss, ar), RF),
	SEGCHECK("guest.ss.ar.g", SEG_SS, ar_g, G(ss, ar), G(ss, limit), RF),
	DATA_ROWS(ds, SEG_DS), DATA_ROWS(es, SEG_ES),
	DATA_ROWS(fs, SEG_FS), DATA_ROWS(gs, SEG_GS),
	SYS_ROWS(tr, SEG_TR, VMCS_entry_controls),
	SEGCHECK("guest.tr.ar.usable", SEG_TR, tr_usable, G(tr, ar)),
	SYS_ROWS(ldtr, SEG_LDTR, G(ldtr, ar)),
	CHECK("guest.gdtr.base", "27.3.1.3", gdtr_base, FAIL_GUEST, VMCS_guest_gdtr_base),
	CHECK("guest.idtr.base", "27.3.1.3", idtr_base, FAIL_GUEST, VMCS_guest_idtr_base),
	CHECK("guest.gdtr.limit", "27.3.1.3", gdtr_limit, FAIL_GUEST, VMCS_guest_gdtr_limit),
	CHECK("guest.idtr.limit", "27.3.1.3", idtr_limit, FAIL_GUEST, VMCS_guest_idtr_limit),
};
const unsigned entry_checks_seg_count = sizeof(entry_checks_seg) / sizeof(entry_checks_seg[0]);
