/* Every entry check: the baseline passes it, and a mutation of the
 * baseline fails it, with its id, category, code and qualification, as the
 * first failure validate_full reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "tests/unit/baseline.h"
#include "vmm/shadow/entry_checks.h"
#include "vmm/shadow/validate.h"

#define NONCANON 0x0000800000000000ull

struct write { enum vmcs_field f; uint64_t v; };

struct mutation {
	const char *id;       /* the check that must fail */
	const char *first;    /* what validate_full reports first, if not id */
	void (*caps)(struct vmx_caps *caps);
	struct write w[5];
};

static void caps_no_ept_ad(struct vmx_caps *caps)
{
	caps->ept_vpid_cap &= ~(1ull << 21);
}

static void caps_mbec(struct vmx_caps *caps)
{
	caps->proc2.may_be_1 |= 1u << 22;
}

#define V(name) VMCS_##name
#define M(id_, ...) { .id = (id_), .w = { __VA_ARGS__, { VMCS_FIELD_NONE, 0 } } }
#define MF(id_, first_, ...) { .id = (id_), .first = (first_), \
			       .w = { __VA_ARGS__, { VMCS_FIELD_NONE, 0 } } }
#define PROC 0x850061f2u
#define ENTRY 0x11fbu
#define EXITC 0x36ffbu
#define TPR { V(proc_controls), PROC | (1u << 21) }, { V(virtual_apic_addr), 0x5000 }
#define NO_UG_PAGED { V(proc_controls2), 0x2 }, { V(guest_cr0), 0x80000031 }
#define DATA_MUTATIONS(s) \
	M("guest." #s ".ar.type", { V(guest_##s##_ar), 0xc092 }), \
	M("guest." #s ".ar.s", { V(guest_##s##_ar), 0xc083 }), \
	M("guest." #s ".ar.dpl", NO_UG_PAGED, { V(guest_##s##_sel), 0x13 }), \
	M("guest." #s ".ar.p", { V(guest_##s##_ar), 0xc013 }), \
	M("guest." #s ".ar.reserved", { V(guest_##s##_ar), 0xc193 }), \
	M("guest." #s ".ar.g", { V(guest_##s##_limit), 0xffff000 })

static const struct mutation mutations[] = {
	/* 27.2.1 controls */
	M("ctl.pin.reserved", { V(pin_controls), 0x5d }),
	M("ctl.proc.reserved", { V(proc_controls), PROC | 1 }),
	M("ctl.proc2.reserved", { V(proc_controls2), 0x8082 }),
	M("ctl.cr3_target_count", { V(cr3_target_count), 5 }),
	M("ctl.io_bitmaps", { V(proc_controls), PROC | (1u << 25) }, { V(io_bitmap_a), 0x1001 }),
	M("ctl.msr_bitmap", { V(proc_controls), PROC | (1u << 28) }, { V(msr_bitmap), 1ull << 40 }),
	M("ctl.tpr_shadow.vapic_addr", { V(proc_controls), PROC | (1u << 21) },
	  { V(virtual_apic_addr), 0x123 }),
	M("ctl.tpr_shadow.threshold", TPR, { V(tpr_threshold), 0x10 }),
	M("ctl.tpr_shadow.off", { V(proc_controls2), 0x92 }),
	M("ctl.nmi.virtual_nmi", { V(pin_controls), 0x77 }),
	M("ctl.nmi.window", { V(proc_controls), PROC | (1u << 22) }),
	M("ctl.apic_access_addr", { V(proc_controls2), 0x83 }, { V(apic_access_addr), 0x1234 }),
	M("ctl.x2apic.apic_access", TPR, { V(proc_controls2), 0x93 }),
	M("ctl.vid.ext_int", TPR, { V(proc_controls2), 0x282 }, { V(pin_controls), 0x5e }),
	M("ctl.vpid.nonzero", { V(proc_controls2), 0xa2 }),
	M("ctl.ept.memtype", { V(ept_pointer), 0x100019 }),
	M("ctl.ept.walk", { V(ept_pointer), 0x100016 }),
	{ .id = "ctl.ept.ad", .caps = caps_no_ept_ad,
	  .w = { { V(ept_pointer), 0x10005e }, { VMCS_FIELD_NONE, 0 } } },
	M("ctl.ept.reserved", { V(ept_pointer), 0x10011e }),
	M("ctl.pml.ept", { V(proc_controls2), 0x20000 }),
	M("ctl.pml.addr", { V(proc_controls2), 0x20082 }, { V(pml_address), 0x1001 }),
	M("ctl.vmcs_shadowing.bitmaps", { V(proc_controls2), 0x4082 }, { V(vmread_bitmap), 0x5000 },
	  { V(vmwrite_bitmap), 1ull << 40 }),
	M("ctl.ept_ve.info_addr", { V(proc_controls2), 0x40082 }, { V(ve_info_addr), 0x10 }),
	M("ctl.vmfunc.reserved", { V(proc_controls2), 0x2082 }, { V(vmfunc_controls), 2 }),
	M("ctl.vmfunc.eptp_switching", { V(proc_controls2), 0x2082 }, { V(vmfunc_controls), 1 },
	  { V(eptp_list_addr), 0x123 }),
	{ .id = "ctl.mbec.ept", .caps = caps_mbec,
	  .w = { { V(proc_controls2), 0x400000 }, { VMCS_FIELD_NONE, 0 } } },
	M("ctl.ug.ept", { V(proc_controls2), 0x80 }),
	M("ctl.tsc_multiplier", { V(proc_controls2), 0x2000082 }, { V(tsc_multiplier), 0 }),
	M("ctl.exit.reserved", { V(exit_controls), EXITC | (1u << 24) }),
	M("ctl.exit.preempt_timer", { V(pin_controls), 0x1f },
	  { V(exit_controls), EXITC | (1u << 22) }),
	M("ctl.exit.msr_store", { V(exit_msr_store_count), 1 }, { V(exit_msr_store_addr), 0x1008 }),
	M("ctl.exit.msr_load", { V(exit_msr_load_count), 2 },
	  { V(exit_msr_load_addr), (1ull << 40) - 16 }),
	M("ctl.entry.reserved", { V(entry_controls), 0x11fa }),
	M("ctl.entry.intr.type", { V(entry_intr_info), 0x80000100 }),
	M("ctl.entry.intr.vector", { V(entry_intr_info), 0x80000203 }),
	M("ctl.entry.intr.error_code", { V(entry_intr_info), 0x8000030d }),
	M("ctl.entry.intr.reserved", { V(entry_intr_info), 0x80001306 }),
	M("ctl.entry.intr.error_reserved", { V(entry_intr_info), 0x80000b0d },
	  { V(entry_exception_error), 0x10000 }),
	M("ctl.entry.intr.instr_len", { V(entry_intr_info), 0x80000403 }),
	M("ctl.entry.msr_load", { V(entry_msr_load_count), 1 }, { V(entry_msr_load_addr), 0x1004 }),
	M("ctl.entry.smm", { V(entry_controls), ENTRY | (1u << 10) }),
	/* 27.2.2-27.2.4 host state */
	M("host.cr0.fixed", { V(host_cr0), 0x80050032 }),
	M("host.cr4.fixed", { V(host_cr4), 0x20 }),
	M("host.cr3.range", { V(host_cr3), 1ull << 40 }),
	M("host.sysenter.canonical", { V(host_sysenter_eip), NONCANON }),
	M("host.perf_global_ctrl", { V(exit_controls), EXITC | (1u << 12) }, { V(host_perf_global_ctrl), 0x10 }),
	M("host.pat", { V(exit_controls), EXITC | (1u << 19) }, { V(host_pat), 0x0007040600070402ull }),
	M("host.efer.reserved", { V(exit_controls), EXITC | (1u << 21) }, { V(host_efer), 0x503 }),
	M("host.efer.lma_lme", { V(exit_controls), EXITC | (1u << 21) }, { V(host_efer), 0x100 }),
	M("host.sel.rpl_ti", { V(host_ds_sel), 0x13 }),
	M("host.cs.nonzero", { V(host_cs_sel), 0 }),
	M("host.tr.nonzero", { V(host_tr_sel), 0 }),
	M("host.ss.nonzero", { V(exit_controls), 0x36dfb }, { V(host_ss_sel), 0 }),
	M("host.bases.canonical", { V(host_gs_base), NONCANON }),
	M("host.addr_size.cpu", { V(exit_controls), 0x36dfb }),
	MF("host.addr_size.guest", "host.addr_size.cpu", { V(exit_controls), 0x36dfb },
	   { V(entry_controls), ENTRY | (1u << 9) }),
	M("host.addr_size.pae", { V(host_cr4), 0x2000 }),
	MF("host.addr_size.pcide", "host.addr_size.cpu", { V(exit_controls), 0x36dfb },
	   { V(host_cr4), 0x22020 }),
	M("host.addr_size.rip", { V(host_rip), NONCANON }),
	/* 27.3.1.1 guest control registers and MSRs */
	M("guest.cr0.fixed", { V(guest_cr0), 0x11 }),
	M("guest.cr0.pg_pe", { V(guest_cr0), 0x80000030 }),
	M("guest.cr4.fixed", { V(guest_cr4), 0 }),
	M("guest.debugctl.reserved", { V(entry_controls), ENTRY | 4 }, { V(guest_debugctl), 4 }),
	M("guest.ia32e.paging", { V(entry_controls), ENTRY | (1u << 9) }),
	M("guest.cr4.pcide", { V(guest_cr4), 0x22000 }),
	M("guest.cr3.range", { V(guest_cr3), 1ull << 40 }),
	M("guest.dr7.high", { V(entry_controls), ENTRY | 4 }, { V(guest_dr7), 0x100000400ull }),
	M("guest.sysenter.canonical", { V(guest_sysenter_esp), NONCANON }),
	M("guest.perf_global_ctrl", { V(entry_controls), ENTRY | (1u << 13) },
	  { V(guest_perf_global_ctrl), 1ull << 35 }),
	M("guest.pat", { V(entry_controls), ENTRY | (1u << 14) },
	  { V(guest_pat), 0x0007040600070408ull }),
	M("guest.efer.reserved", { V(entry_controls), ENTRY | (1u << 15) }, { V(guest_efer), 2 }),
	M("guest.efer.lma_lme", { V(entry_controls), ENTRY | (1u << 15) }, { V(guest_efer), 0x400 }),
	/* 27.3.1.2 guest segment registers */
	M("guest.tr.sel.ti", { V(guest_tr_sel), 0x1c }),
	M("guest.ldtr.sel.ti", { V(guest_ldtr_ar), 0x82 }, { V(guest_ldtr_sel), 4 }),
	M("guest.ss.sel.rpl", NO_UG_PAGED, { V(guest_ss_sel), 0x13 }),
	M("guest.cs.v86", { V(guest_rflags), 0x20002 }),
	M("guest.ss.v86", { V(guest_rflags), 0x20002 }, { V(guest_cs_base), 0x80 },
	  { V(guest_cs_limit), 0xffff }, { V(guest_cs_ar), 0xf3 }),
	MF("guest.ds.v86", "guest.cs.v86", { V(guest_rflags), 0x20002 }),
	MF("guest.es.v86", "guest.cs.v86", { V(guest_rflags), 0x20002 }),
	MF("guest.fs.v86", "guest.cs.v86", { V(guest_rflags), 0x20002 }),
	MF("guest.gs.v86", "guest.cs.v86", { V(guest_rflags), 0x20002 }),
	M("guest.tr.base", { V(guest_tr_base), NONCANON }),
	M("guest.fs.base", { V(guest_fs_base), NONCANON }),
	M("guest.gs.base", { V(guest_gs_base), NONCANON }),
	M("guest.ldtr.base", { V(guest_ldtr_ar), 0x82 }, { V(guest_ldtr_base), NONCANON }),
	M("guest.cs.base", { V(guest_cs_base), 1ull << 32 }),
	M("guest.ss.base", { V(guest_ss_base), 1ull << 32 }),
	M("guest.ds.base", { V(guest_ds_base), 1ull << 32 }),
	M("guest.es.base", { V(guest_es_base), 1ull << 32 }),
	M("guest.cs.ar.type", { V(guest_cs_ar), 0xc091 }),
	M("guest.cs.ar.s", { V(guest_cs_ar), 0xc08b }),
	M("guest.cs.ar.dpl", { V(guest_cs_ar), 0xc0bb }),
	M("guest.cs.ar.p", { V(guest_cs_ar), 0xc01b }),
	M("guest.cs.ar.reserved", { V(guest_cs_ar), 0xc19b }),
	M("guest.cs.ar.db", { V(entry_controls), ENTRY | (1u << 9) }, { V(guest_cr0), 0x80000031 },
	  { V(guest_cr4), 0x2020 }, { V(guest_cs_ar), 0xe09b }),
	M("guest.cs.ar.g", { V(guest_cs_limit), 0xffff000 }),
	M("guest.ss.ar.type", { V(guest_ss_ar), 0xc091 }),
	M("guest.ss.ar.s", { V(guest_ss_ar), 0xc083 }),
	M("guest.ss.ar.dpl", { V(guest_cr0), 0x30 }, { V(guest_cs_ar), 0xc09f },
	  { V(guest_ss_ar), 0xc0f3 }),
	M("guest.ss.ar.p", { V(guest_ss_ar), 0xc013 }),
	M("guest.ss.ar.reserved", { V(guest_ss_ar), 0xc193 }),
	M("guest.ss.ar.g", { V(guest_ss_limit), 0xffff000 }),
	DATA_MUTATIONS(ds), DATA_MUTATIONS(es), DATA_MUTATIONS(fs), DATA_MUTATIONS(gs),
	M("guest.tr.ar.type", { V(guest_tr_ar), 0x89 }),
	M("guest.tr.ar.s", { V(guest_tr_ar), 0x9b }),
	M("guest.tr.ar.p", { V(guest_tr_ar), 0x0b }),
	M("guest.tr.ar.reserved", { V(guest_tr_ar), 0x18b }),
	M("guest.tr.ar.g", { V(guest_tr_ar), 0x808b }),
	M("guest.tr.ar.usable", { V(guest_tr_ar), 0x1008b }),
	M("guest.ldtr.ar.type", { V(guest_ldtr_ar), 0x83 }),
	M("guest.ldtr.ar.s", { V(guest_ldtr_ar), 0x92 }),
	M("guest.ldtr.ar.p", { V(guest_ldtr_ar), 0x02 }),
	M("guest.ldtr.ar.reserved", { V(guest_ldtr_ar), 0x182 }),
	M("guest.ldtr.ar.g", { V(guest_ldtr_ar), 0x8082 }),
	/* 27.3.1.3 descriptor tables */
	M("guest.gdtr.base", { V(guest_gdtr_base), NONCANON }),
	M("guest.idtr.base", { V(guest_idtr_base), NONCANON }),
	M("guest.gdtr.limit", { V(guest_gdtr_limit), 0x10000 }),
	M("guest.idtr.limit", { V(guest_idtr_limit), 0x10000 }),
	/* 27.3.1.4 RIP and RFLAGS */
	M("guest.rip.high", { V(guest_rip), 1ull << 32 }),
	M("guest.rflags.reserved", { V(guest_rflags), 0 }),
	MF("guest.rflags.vm", "guest.cs.v86", { V(guest_cr0), 0x30 }, { V(guest_rflags), 0x20002 }),
	M("guest.rflags.if", { V(entry_intr_info), 0x80000020 }),
	/* 27.3.1.5 non-register state */
	M("guest.activity.value", { V(guest_activity_state), 4 }),
	M("guest.activity.hlt_dpl", { V(guest_activity_state), 1 }, { V(guest_cs_ar), 0xc09f },
	  { V(guest_ss_ar), 0xc0f3 }),
	M("guest.activity.sti_movss", { V(guest_activity_state), 1 },
	  { V(guest_interruptibility), 2 }),
	M("guest.activity.event", { V(guest_activity_state), 1 }, { V(entry_intr_info), 0x80000306 }),
	M("guest.intr.reserved", { V(guest_interruptibility), 0x20 }),
	M("guest.intr.sti_movss", { V(guest_interruptibility), 3 }, { V(guest_rflags), 0x202 }),
	M("guest.intr.sti_if", { V(guest_interruptibility), 1 }),
	M("guest.intr.ext_int", { V(entry_intr_info), 0x80000020 }, { V(guest_rflags), 0x202 },
	  { V(guest_interruptibility), 2 }),
	M("guest.intr.nmi_movss", { V(entry_intr_info), 0x80000202 }, { V(guest_interruptibility), 2 }),
	M("guest.intr.nmi_sti", { V(entry_intr_info), 0x80000202 }, { V(guest_interruptibility), 1 },
	  { V(guest_rflags), 0x202 }),
	M("guest.intr.smi", { V(guest_interruptibility), 4 }),
	M("guest.intr.virtual_nmi", { V(pin_controls), 0x7f }, { V(entry_intr_info), 0x80000202 },
	  { V(guest_interruptibility), 8 }),
	M("guest.pending_dbg.reserved", { V(guest_pending_dbg), 0x10 }),
	M("guest.pending_dbg.bs", { V(guest_interruptibility), 2 }, { V(guest_pending_dbg), 0x4000 }),
	M("guest.pending_dbg.rtm", { V(guest_pending_dbg), 0x10000 }),
	M("guest.link_ptr", { V(vmcs_link_ptr), 0x1234 }),
	/* 27.3.1.6 PDPTEs */
	M("guest.pdpte", { V(guest_cr0), 0x80000031 }, { V(guest_cr4), 0x2020 },
	  { V(guest_pdpte0), 3 }),
	/* 27.4 MSR loading */
	M("msrload.entry", { V(entry_msr_load_count), 1 }, { V(entry_msr_load_addr), BASELINE_MSR_AREA }),
};
#define NMUT (sizeof(mutations) / sizeof(mutations[0]))

static bool run_one(struct check_ctx *c, const struct entry_check *chk)
{
	c->current = chk;
	c->bad_field = VMCS_FIELD_NONE;
	bool ok = chk->ok(c);
	c->current = NULL;
	return ok;
}

static void test_every_check_has_a_mutation(void **state)
{
	(void)state;
	for (unsigned i = 0; i < entry_check_count(); i++) {
		const char *id = entry_check_at(i)->id;
		bool found = false;
		for (unsigned m = 0; m < NMUT; m++)
			found |= strcmp(mutations[m].id, id) == 0;
		if (!found)
			fail_msg("no mutation for check %s", id);
	}
	for (unsigned m = 0; m < NMUT; m++)
		if (!entry_check_by_id(mutations[m].id))
			fail_msg("mutation for unknown check %s", mutations[m].id);
}

static void test_ids_are_unique_and_rows_well_formed(void **state)
{
	(void)state;
	unsigned n = entry_check_count();
	for (unsigned i = 0; i < n; i++) {
		const struct entry_check *a = entry_check_at(i);
		assert_ptr_equal(entry_check_by_id(a->id), a);
		assert_non_null(a->ok);
		assert_true(strncmp(a->sdm, "27.", 3) == 0);
		assert_int_not_equal(a->reads[0], VMCS_FIELD_NONE);
		bool term = false;
		for (unsigned r = 0; r < ENTRY_CHECK_MAX_READS; r++)
			term |= a->reads[r] == VMCS_FIELD_NONE;
		assert_true(term);
	}
	assert_null(entry_check_at(n));
	assert_null(entry_check_by_id("no.such.check"));
}

/* Controls, then host, then guest, then MSR loading: the order of SDM
 * 27.2, 27.3 and 27.4. */
static void test_checks_are_ordered_by_category(void **state)
{
	(void)state;
	unsigned prev = 0;
	for (unsigned i = 0; i < entry_check_count(); i++) {
		const struct entry_check *a = entry_check_at(i);
		unsigned rank = a->kind == VERDICT_ENTRYFAIL ? (a->code == 34 ? 3 : 2) : a->code == 8 ? 1 : 0;
		static const char *const prefix[] = { "ctl.", "host.", "guest.", "msrload." };
		assert_true(rank >= prev);
		assert_true(strncmp(a->id, prefix[rank], strlen(prefix[rank])) == 0);
		prev = rank;
	}
}

static void test_baseline_passes_each_check(void **state)
{
	(void)state;
	struct vmcs_shadow s;
	struct vmx_caps caps;
	struct check_ctx c;
	baseline_ctx(&c, &s, &caps);
	for (unsigned i = 0; i < entry_check_count(); i++) {
		const struct entry_check *chk = entry_check_at(i);
		if (!run_one(&c, chk))
			fail_msg("baseline fails %s", chk->id);
		assert_int_equal(c.bad_field, VMCS_FIELD_NONE);
	}
	assert_false(c.undeclared_read);
}

static void apply(struct check_ctx *c, struct vmcs_shadow *s, struct vmx_caps *caps,
		  const struct mutation *m)
{
	baseline_ctx(c, s, caps);
	if (m->caps)
		m->caps(caps);
	for (unsigned w = 0; w < 5 && m->w[w].f != VMCS_FIELD_NONE; w++)
		shadow_write(s, m->w[w].f, m->w[w].v);
}

static void test_each_mutation_fails_its_check(void **state)
{
	(void)state;
	for (unsigned m = 0; m < NMUT; m++) {
		const struct mutation *mu = &mutations[m];
		const struct entry_check *chk = entry_check_by_id(mu->id);
		struct vmcs_shadow s;
		struct vmx_caps caps;
		struct check_ctx c;
		struct verdict v;
		apply(&c, &s, &caps, mu);
		if (run_one(&c, chk))
			fail_msg("mutation does not fail %s", mu->id);
		if (c.bad_field == VMCS_FIELD_NONE || !entry_check_reads(chk, c.bad_field))
			fail_msg("%s: bad field not among its reads", mu->id);

		validate_full(&c, &v);
		const char *want = mu->first ? mu->first : mu->id;
		const struct entry_check *first = entry_check_by_id(want);
		if (v.check != first)
			fail_msg("%s: validate_full reports %s", mu->id, v.check ? v.check->id : "ok");
		assert_int_equal(v.kind, first->kind);
		assert_int_equal(v.code, first->code);
		assert_int_equal(v.qual, first->qual_varies ? 1 : first->qual);   /* the MSR row: entry 1 */
		assert_int_equal(v.value, shadow_get(&s, v.field));
		assert_int_equal(v.kind, first->code >= 33 ? VERDICT_ENTRYFAIL : VERDICT_VMFAIL);
		if (c.undeclared_read)
			fail_msg("%s: undeclared read", mu->id);
	}
}

/* Every predicate, run on every mutated state, reads only what it declares. */
static void test_no_undeclared_reads_on_any_mutation(void **state)
{
	(void)state;
	for (unsigned m = 0; m < NMUT; m++) {
		struct vmcs_shadow s;
		struct vmx_caps caps;
		struct check_ctx c;
		apply(&c, &s, &caps, &mutations[m]);
		for (unsigned i = 0; i < entry_check_count(); i++) {
			const struct entry_check *chk = entry_check_at(i);
			bool ok = run_one(&c, chk);
			if (!ok && !entry_check_reads(chk, c.bad_field))
				fail_msg("%s reports undeclared field", chk->id);
			if (c.undeclared_read)
				fail_msg("%s reads an undeclared field (state of %s)", chk->id,
					 mutations[m].id);
		}
	}
}

/* Categories and codes as SDM 27.2/27.3 assign them. */
static void test_failure_codes(void **state)
{
	(void)state;
	assert_int_equal(entry_check_by_id("ctl.pin.reserved")->code, 7);
	assert_int_equal(entry_check_by_id("host.cr0.fixed")->code, 8);
	assert_int_equal(entry_check_by_id("guest.cs.ar.type")->code, 33);
	assert_int_equal(entry_check_by_id("guest.link_ptr")->qual, 4);
	assert_int_equal(entry_check_by_id("guest.pdpte")->qual, 2);
	assert_int_equal(entry_check_by_id("guest.intr.nmi_sti")->qual, 3);
	assert_int_equal(entry_check_by_id("guest.rflags.reserved")->qual, 0);
	assert_int_equal(entry_check_by_id("msrload.entry")->code, 34);
	assert_true(entry_check_by_id("msrload.entry")->qual_varies);
}

static uint64_t count_fetch(void *opaque, enum vmcs_field f)
{
	(void)f;
	++*(unsigned *)opaque;
	return 0;
}

/* guest.rip.high against its rule in every mode: for RIPs around 4 GiB
 * and the canonical boundary, with the "IA-32e mode guest" control and
 * CS.L each 0 and 1, the row passes exactly when entry_rip_ok does for
 * the mode the two select; below 4 GiB it passes without reading either
 * (the shadow does not know them, and nothing is fetched). */
static void test_rip_row_in_every_mode(void **state)
{
	static const uint64_t rips[] = { 0, 0x1000, 0xfffffffe, 0xffffffff, 1ull << 32, 0x100001000,
					 0x00007fffffffffff, NONCANON, 0xffff800000000000,
					 0xffff7fffffffffff, ~0ull };
	const struct entry_check *row = entry_check_by_id("guest.rip.high");
	(void)state;
	assert_non_null(row);
	for (unsigned i = 0; i < sizeof(rips) / sizeof(rips[0]); i++)
		for (unsigned m = 0; m < 4; m++) {
			bool ia32e = m & 1, l = m & 2;
			struct vmcs_shadow s;
			struct vmx_caps caps;
			struct check_ctx c;
			baseline_ctx(&c, &s, &caps);
			shadow_fill(&s, VMCS_entry_controls, shadow_get(&s, VMCS_entry_controls) & ~(1ull << 9));
			shadow_fill(&s, VMCS_entry_controls, shadow_get(&s, VMCS_entry_controls) | (ia32e ? 1ull << 9 : 0));
			shadow_fill(&s, VMCS_guest_cs_ar, l ? 0xa09b : 0xc09b);
			shadow_fill(&s, VMCS_guest_rip, rips[i]);
			bool want = entry_rip_ok(rips[i], ia32e && l, 48);
			if (run_one(&c, row) != want)
				fail_msg("rip 0x%llx, IA-32e %d, CS.L %d: row says %d", (unsigned long long)rips[i],
					 ia32e, l, !want);
			if (!entry_rip_low(rips[i]))
				continue;
			assert_true(want);
			s.known[VMCS_entry_controls / 64] &= ~(1ull << (VMCS_entry_controls % 64));
			s.known[VMCS_guest_cs_ar / 64] &= ~(1ull << (VMCS_guest_cs_ar % 64));
			unsigned fetched = 0;
			c.fetch = count_fetch;
			c.opaque = &fetched;
			assert_true(run_one(&c, row));
			assert_int_equal(fetched, 0);
		}
}

/* A baseline VMCS (known to the shadow), the capabilities and a check
 * context over them: one table row's test changes what it needs. */
struct fixture {
	struct vmcs_shadow s;
	struct vmx_caps caps;
	struct check_ctx c;
};

static void fixture_init(struct fixture *f)
{
	baseline_ctx(&f->c, &f->s, &f->caps);
}

/* The address rules against the SDM's words, not against the helpers
 * the rows use: a 64-bit guest's RIP needs bits 63:N identical (27.3.1.4;
 * bit N-1 may differ: not canonical), the base and SYSENTER fields need
 * canonical addresses (bits 63:N-1 identical), for N = 48 and N = 57. */
static void test_address_rules_follow_the_linear_width(void **state)
{
	static const struct {
		uint64_t a;
		unsigned n;
		bool rip_ok, canonical;
	} t[] = {
		{ 0x00007fffffffffff, 48, true, true },   { 0x0000800000000000, 48, true, false },
		{ 0x0000fffffffffffe, 48, true, false },  { 0x0001000000000000, 48, false, false },
		{ 0xffff7fffffffffff, 48, true, false },  { 0xffff800000000000, 48, true, true },
		{ 0x8000000000001000, 48, false, false }, { ~0ull, 48, true, true },
		{ 0x0000800000000000, 57, true, true },   { 0x0100000000000000, 57, true, false },
		{ 0x0200000000000000, 57, false, false }, { 0xff00000000000000, 57, true, true },
	};
	const struct entry_check *rip = entry_check_by_id("guest.rip.high");
	const struct entry_check *fs = entry_check_by_id("guest.fs.base");
	const struct entry_check *host = entry_check_by_id("host.sysenter.canonical");
	(void)state;
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fixture f;
		fixture_init(&f);
		f.caps.linaddr_bits = t[i].n;
		shadow_fill(&f.s, VMCS_entry_controls, shadow_get(&f.s, VMCS_entry_controls) | ENTRY_IA32E_GUEST);
		shadow_fill(&f.s, VMCS_guest_cs_ar, 0xa09b);
		shadow_fill(&f.s, VMCS_guest_rip, t[i].a);
		shadow_fill(&f.s, VMCS_guest_fs_base, t[i].a);
		shadow_fill(&f.s, VMCS_host_sysenter_eip, t[i].a);
		if (run_one(&f.c, rip) != t[i].rip_ok || run_one(&f.c, fs) != t[i].canonical ||
		    run_one(&f.c, host) != t[i].canonical)
			fail_msg("0x%llx, N = %u: rip %d fs.base %d host sysenter %d", (unsigned long long)t[i].a,
				 t[i].n, run_one(&f.c, rip), run_one(&f.c, fs), run_one(&f.c, host));
		/* outside 64-bit mode only bits 63:32 count */
		shadow_fill(&f.s, VMCS_guest_cs_ar, 0xc09b);
		assert_int_equal(run_one(&f.c, rip), (t[i].a >> 32) == 0);
	}
}

/* Host RIP is canonical for the paging the VM exit loads: 48 bits unless
 * HOST_CR4.LA57, whatever the processor's width. */
static void test_host_rip_follows_host_cr4_la57(void **state)
{
	const struct entry_check *row = entry_check_by_id("host.addr_size.rip");
	(void)state;
	for (int la57 = 0; la57 <= 1; la57++) {
		struct fixture f;
		fixture_init(&f);
		f.caps.linaddr_bits = 57;
		uint64_t cr4 = shadow_get(&f.s, VMCS_host_cr4);
		shadow_fill(&f.s, VMCS_host_cr4, la57 ? cr4 | (1ull << 12) : cr4 & ~(1ull << 12));
		shadow_fill(&f.s, VMCS_host_rip, 0x0000800000001000ull);
		assert_int_equal(run_one(&f.c, row), la57);
		shadow_fill(&f.s, VMCS_host_rip, 0x0100000000001000ull);
		assert_false(run_one(&f.c, row));
	}
}

/* The pending-debug RTM bit, well formed (bit 12 set, nothing else),
 * passes only on a processor with RTM (27.3.1.5). */
static void test_rtm_bit_needs_rtm(void **state)
{
	const struct entry_check *row = entry_check_by_id("guest.pending_dbg.rtm");
	(void)state;
	for (int rtm = 0; rtm <= 1; rtm++) {
		struct fixture f;
		fixture_init(&f);
		f.caps.rtm = rtm;
		shadow_fill(&f.s, VMCS_guest_pending_dbg, 0x11000);
		assert_int_equal(run_one(&f.c, row), rtm);
		shadow_fill(&f.s, VMCS_guest_pending_dbg, 0x10000);
		assert_false(run_one(&f.c, row));
	}
}

/* Deliver-error-code (27.2.1.3): #CP (21) has an error code only on a
 * processor with CET; with IA32_VMX_BASIC bit 56 a hardware exception in
 * protected mode may come with or without one, other types still not. */
static void test_error_code_rule_follows_the_processor(void **state)
{
	static const struct {
		uint32_t info;
		int cet, any, ok;
	} t[] = {
		{ 0x80000b0d, 0, 0, 1 }, { 0x8000030d, 0, 0, 0 },   /* #GP with / without */
		{ 0x80000315, 0, 0, 1 }, { 0x80000b15, 0, 0, 0 },   /* #CP, no CET */
		{ 0x80000b15, 1, 0, 1 }, { 0x80000315, 1, 0, 0 },   /* #CP, CET */
		{ 0x8000030d, 0, 1, 1 }, { 0x80000b03, 0, 1, 1 },   /* bit 56: either */
		{ 0x80000820, 0, 1, 0 },                            /* an interrupt never */
	};
	const struct entry_check *row = entry_check_by_id("ctl.entry.intr.error_code");
	(void)state;
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fixture f;
		fixture_init(&f);
		f.caps.cet = t[i].cet;
		f.caps.basic = t[i].any ? f.caps.basic | BASIC_ANY_ERROR_CODE : f.caps.basic & ~BASIC_ANY_ERROR_CODE;
		shadow_fill(&f.s, VMCS_entry_intr_info, t[i].info);
		if (run_one(&f.c, row) != t[i].ok)
			fail_msg("info 0x%x, CET %d, bit 56 %d: row says %d", t[i].info, t[i].cet, t[i].any, !t[i].ok);
	}
}

/* The rows on features the VMM never turns on but the CPU offers (VMCS
 * shadowing, #VE, VM functions, PML): each address and condition on its
 * own, valid settings passing, and the field each failure names. */
static void test_feature_rows_name_their_field(void **state)
{
	static const struct {
		const char *id;
		uint32_t proc2;
		struct write w[2];
		enum vmcs_field bad;    /* VMCS_FIELD_NONE: passes */
	} t[] = {
		{ "ctl.vmcs_shadowing.bitmaps", 0x4082, { { V(vmread_bitmap), 0x5008 }, { V(vmwrite_bitmap), 0x6000 } },
		  V(vmread_bitmap) },
		{ "ctl.vmcs_shadowing.bitmaps", 0x4082, { { V(vmread_bitmap), 0x5000 }, { V(vmwrite_bitmap), 0x6000 } },
		  VMCS_FIELD_NONE },
		{ "ctl.vmcs_shadowing.bitmaps", 0x0082, { { V(vmread_bitmap), 0x5008 }, { V(vmwrite_bitmap), 1 } },
		  VMCS_FIELD_NONE },
		{ "ctl.ept_ve.info_addr", 0x40082, { { V(ve_info_addr), 1ull << 40 }, { V(ve_info_addr), 1ull << 40 } },
		  V(ve_info_addr) },
		{ "ctl.pml.addr", 0x20082, { { V(pml_address), 0x7000 }, { V(pml_address), 0x7000 } }, VMCS_FIELD_NONE },
		{ "ctl.vmfunc.reserved", 0x2082, { { V(vmfunc_controls), 1 }, { V(vmfunc_controls), 1 } },
		  VMCS_FIELD_NONE },
		{ "ctl.vmfunc.eptp_switching", 0x2080, { { V(vmfunc_controls), 1 }, { V(eptp_list_addr), 0x8000 } },
		  V(proc_controls2) },
		{ "ctl.vmfunc.eptp_switching", 0x2082, { { V(vmfunc_controls), 1 }, { V(eptp_list_addr), 0x8000 } },
		  VMCS_FIELD_NONE },
		{ "ctl.vmfunc.eptp_switching", 0x2082, { { V(vmfunc_controls), 0 }, { V(eptp_list_addr), 0x8001 } },
		  VMCS_FIELD_NONE },
	};
	(void)state;
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fixture f;
		fixture_init(&f);
		shadow_fill(&f.s, VMCS_proc_controls2, t[i].proc2);
		for (unsigned k = 0; k < 2; k++)
			shadow_fill(&f.s, t[i].w[k].f, t[i].w[k].v);
		bool ok = run_one(&f.c, entry_check_by_id(t[i].id));
		if (ok != (t[i].bad == VMCS_FIELD_NONE) || (!ok && f.c.bad_field != t[i].bad))
			fail_msg("case %u (%s): ok %d, bad field %d", i, t[i].id, ok, f.c.bad_field);
	}
}

static uint64_t msr_area[4][2];

static bool fake_msr_entry(void *opaque, uint64_t pa, uint64_t entry[2])
{
	(void)opaque;
	uint64_t i = (pa - 0x9000) / 16;
	if (pa < 0x9000 || i >= 4)
		return false;
	entry[0] = msr_area[i][0];
	entry[1] = msr_area[i][1];
	return true;
}

/* msrload.entry (27.4): the first bad entry of the VM-entry MSR-load area
 * fails the entry with exit reason 34 and its one-based number as the
 * qualification: bits 63:32 of the index set, IA32_FS_BASE or GS_BASE,
 * an x2APIC MSR, IA32_SMM_MONITOR_CTL (the verdict's detail names the
 * entry's index, for the departures); an area the shadow may not read
 * (past the fake's four entries) is not judged. */
static void test_msr_load_names_the_failing_entry(void **state)
{
	static const struct {
		uint64_t index;
		unsigned count;
		uint64_t qual;     /* 0: passes */
	} t[] = {
		{ 0x174, 3, 0 },           { 0x1ull << 32 | 0x174, 3, 2 }, { 0xc0000100, 3, 2 },
		{ 0xc0000101, 3, 2 },      { 0x808, 3, 2 },                { 0x8ff, 3, 2 },
		{ 0x9b, 3, 2 },            { 0x900, 3, 0 },                { 0x7ff, 3, 0 },
		{ 0xc0000100, 1, 0 },      { 0x174, 9, 0 },
	};
	const struct entry_check *row = entry_check_by_id("msrload.entry");
	(void)state;
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fixture f;
		fixture_init(&f);
		f.c.msr_entry = fake_msr_entry;
		for (unsigned k = 0; k < 4; k++)
			msr_area[k][0] = 0x174, msr_area[k][1] = 0x10;
		msr_area[1][0] = t[i].index;             /* the second entry is the one under test */
		shadow_fill(&f.s, VMCS_entry_msr_load_count, t[i].count);
		shadow_fill(&f.s, VMCS_entry_msr_load_addr, 0x9000);
		struct verdict v;
		validate_full(&f.c, &v);
		if (t[i].qual ? !(v.check == row && v.code == 34 && v.qual == t[i].qual && v.detail == t[i].index)
			      : v.kind != VERDICT_OK)
			fail_msg("case %u: %s qual %llu", i, v.check ? v.check->id : "ok", (unsigned long long)v.qual);
	}
}

/* A VMM page for test_link_pointer_reads_its_page: its first dword, and
 * whether it is the current VMCS. */
static struct { uint32_t first; bool current, readable; } link_mem;

static bool fake_link_page(void *opaque, uint64_t pa, uint32_t *first, bool *current)
{
	(void)opaque;
	(void)pa;
	*first = link_mem.first;
	*current = link_mem.current;
	return link_mem.readable;
}

/* guest.link_ptr (27.3.1.5): the dword at the pointer holds the revision
 * identifier in bits 30:0 and the "VMCS shadowing" control in bit 31, and
 * the pointer is not the current VMCS; ~0 is never read; a page the
 * shadow may not read is judged by its address alone. */
static void test_link_pointer_reads_its_page(void **state)
{
	static const struct {
		uint64_t ptr;
		uint32_t first;
		bool current, readable, shadowing, ok;
	} t[] = {
		{ 0x7000, 0x2b, false, true, false, true },
		{ 0x7000, 0x2b | 1u << 31, false, true, false, false },
		{ 0x7000, 0x2b | 1u << 31, false, true, true, true },
		{ 0x7000, 0x2b, false, true, true, false },
		{ 0x7000, 0x2a, false, true, false, false },
		{ 0x7000, 0x2b, true, true, false, false },
		{ 0x7000, 0x2a, true, false, false, true },
		{ 0x7008, 0x2b, false, true, false, false },
		{ ~0ull, 0, true, true, false, true },
	};
	const struct entry_check *row = entry_check_by_id("guest.link_ptr");
	(void)state;
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fixture f;
		fixture_init(&f);
		f.c.link_page = fake_link_page;
		link_mem.first = t[i].first;
		link_mem.current = t[i].current;
		link_mem.readable = t[i].readable;
		shadow_fill(&f.s, VMCS_proc_controls2, t[i].shadowing ? 0x4082 : 0x82);
		shadow_fill(&f.s, VMCS_vmcs_link_ptr, t[i].ptr);
		if (run_one(&f.c, row) != t[i].ok)
			fail_msg("case %u: row says %d", i, !t[i].ok);
	}
}

static uint64_t pdpt_mem[4];
static bool pdpt_readable;

static bool fake_pdpt(void *opaque, uint64_t pa, uint64_t pdpte[4])
{
	(void)opaque;
	(void)pa;
	for (unsigned i = 0; i < 4; i++)
		pdpte[i] = pdpt_mem[i];
	return pdpt_readable;
}

/* guest.pdpte without EPT (27.3.1.6): the PDPTEs come from memory at guest
 * CR3, not from the VMCS fields; a present one with a reserved bit fails
 * (naming CR3); none is loaded outside PAE paging or in IA-32e mode; a
 * table the shadow may not read is not judged. */
static void test_pdptes_without_ept_come_from_memory(void **state)
{
	static const struct {
		uint64_t e0;
		bool readable, pae, ia32e, ok;
	} t[] = {
		{ 0x5001, true, true, false, true },  { 0x5003, true, true, false, false },
		{ 0x5021, true, true, false, false }, { 1ull << 40 | 1, true, true, false, false },
		{ 0x5002, true, true, false, true },  { 0x5003, false, true, false, true },
		{ 0x5003, true, false, false, true }, { 0x5003, true, true, true, true },
	};
	const struct entry_check *row = entry_check_by_id("guest.pdpte");
	(void)state;
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fixture f;
		fixture_init(&f);
		f.c.pdpt = fake_pdpt;
		pdpt_mem[0] = t[i].e0;
		pdpt_readable = t[i].readable;
		shadow_fill(&f.s, VMCS_proc_controls2, 0);
		shadow_fill(&f.s, VMCS_guest_cr0, 0x80000031);
		shadow_fill(&f.s, VMCS_guest_cr4, t[i].pae ? 0x2020 : 0x2000);
		if (t[i].ia32e)
			shadow_fill(&f.s, VMCS_entry_controls, shadow_get(&f.s, VMCS_entry_controls) | ENTRY_IA32E_GUEST);
		shadow_fill(&f.s, VMCS_guest_pdpte0, 0x5003);   /* the fields do not count without EPT */
		bool ok = run_one(&f.c, row);
		if (ok != t[i].ok || (!ok && f.c.bad_field != VMCS_guest_cr3))
			fail_msg("case %u: row says %d", i, ok);
	}
}

/* The CPU's fields for test_rip_row_after_an_exit: a guest in 64-bit
 * mode when the saved RIP was at or above 4 GiB, else in 32-bit
 * protected mode. */
struct after_exit_cpu {
	bool long64;
	unsigned fetched[2];            /* entry controls, CS AR */
};

static uint64_t after_exit_fetch(void *opaque, enum vmcs_field f)
{
	struct after_exit_cpu *cpu = opaque;
	if (f == VMCS_entry_controls) {
		cpu->fetched[0]++;
		return 0x11ff | (cpu->long64 ? 1ull << 9 : 0);
	}
	assert_int_equal(f, VMCS_guest_cs_ar);
	cpu->fetched[1]++;
	return cpu->long64 ? 0xa09b : 0xc09b;
}

/* guest.rip.high after a VM exit: the handler reads the saved RIP and
 * writes a new one; the shadow knows neither the control nor CS. For RIPs
 * around 4 GiB and the canonical boundary, saved RIPs below and above
 * 4 GiB, IA32_VMX_MISC bit 5 set and clear, and a VM exit proper or an
 * entry failure (which saves no RIP), the verdict follows the CPU's mode;
 * the row reads the control only without bit 5 or a saved RIP above
 * 4 GiB, and CS only without that RIP; entry_rip_passes_unread says pass
 * only where the row passes and reads nothing. A CS the VMM wrote since
 * counts over the saved RIP. */
static void test_rip_row_after_an_exit(void **state)
{
	static const uint64_t rips[] = { 0x1000, 0xfffffffe, 1ull << 32, 0x00007fffffffffff, NONCANON,
					 0xffff800000000000, ~0ull };
	static const uint64_t saved[] = { 0xfffffff0, 0x100001000, 0xffff800000001000 };
	const struct entry_check *row = entry_check_by_id("guest.rip.high");
	(void)state;
	for (unsigned i = 0; i < sizeof(rips) / sizeof(rips[0]); i++)
		for (unsigned j = 0; j < sizeof(saved) / sizeof(saved[0]); j++)
			for (unsigned m = 0; m < 4; m++) {
				bool lma_save = m & 1, proper = m & 2, high = saved[j] >> 32;
				struct vmcs_shadow s;
				struct vmx_caps caps;
				struct check_ctx c;
				struct after_exit_cpu cpu = { .long64 = high };
				baseline_ctx(&c, &s, &caps);
				if (!lma_save)
					caps.misc &= ~MISC_EXIT_SAVES_LMA;
				c.fetch = after_exit_fetch;
				c.opaque = &cpu;
				shadow_on_exit(&s);
				if (proper)
					shadow_on_exit_proper(&s);
				shadow_fill(&s, VMCS_guest_rip, saved[j]);
				assert_int_equal(shadow_exit_long_mode(&s), proper && high);
				shadow_write(&s, VMCS_guest_rip, rips[i]);
				bool want = entry_rip_ok(rips[i], high, 48);
				if (run_one(&c, row) != want)
					fail_msg("rip 0x%llx after 0x%llx: row says %d", (unsigned long long)rips[i],
						 (unsigned long long)saved[j], !want);
				bool low = entry_rip_low(rips[i]), hint = proper && high;
				assert_int_equal(cpu.fetched[0], !low && !(hint && lma_save));
				assert_int_equal(cpu.fetched[1], !low && !hint && high);
				bool unread = entry_rip_passes_unread(saved[j], rips[i], caps.misc & MISC_EXIT_SAVES_LMA, 48);
				if (proper)
					assert_int_equal(unread, want && !cpu.fetched[0] && !cpu.fetched[1]);
				if (!hint || low)
					continue;
				/* the VMM puts the guest in compatibility mode: its CS
				 * counts, and a RIP above 4 GiB fails */
				shadow_write(&s, VMCS_guest_cs_ar, 0xc09b);
				assert_false(run_one(&c, row));
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_check_has_a_mutation),
		cmocka_unit_test(test_ids_are_unique_and_rows_well_formed),
		cmocka_unit_test(test_checks_are_ordered_by_category),
		cmocka_unit_test(test_baseline_passes_each_check),
		cmocka_unit_test(test_each_mutation_fails_its_check),
		cmocka_unit_test(test_no_undeclared_reads_on_any_mutation),
		cmocka_unit_test(test_failure_codes),
		cmocka_unit_test(test_rip_row_in_every_mode),
		cmocka_unit_test(test_address_rules_follow_the_linear_width),
		cmocka_unit_test(test_host_rip_follows_host_cr4_la57),
		cmocka_unit_test(test_rtm_bit_needs_rtm),
		cmocka_unit_test(test_feature_rows_name_their_field),
		cmocka_unit_test(test_link_pointer_reads_its_page),
		cmocka_unit_test(test_pdptes_without_ept_come_from_memory),
		cmocka_unit_test(test_msr_load_names_the_failing_entry),
		cmocka_unit_test(test_error_code_rule_follows_the_processor),
		cmocka_unit_test(test_rip_row_after_an_exit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
