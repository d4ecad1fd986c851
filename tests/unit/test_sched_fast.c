/* The scheduler's own fast path (vmm/fastpath/: notify's steps with the
 * CPUID handler compiled in, and the replay of a CPUID round trip in its
 * steady state in front of it) against the slow path, on a fake CPU: two
 * VMs play the same script of exits (CPUIDs of 2, 3, 4 and 15 bytes, timer
 * exits, console output, a final HLT) with the fast path and replay, with
 * the fast path alone (fastpath=noreplay) and with neither, and every
 * observable must be equal: the VMX instructions issued (each kind, and
 * the fields each VMREAD/VMWRITE touched), the per-VM stats, the shadows,
 * the cache model (down to its LRU ticks), the per-reason costs, the guest
 * registers and RIPs, the stop reasons and the trace. Also for the
 * replay's ways out: a RIP the entry check refuses, a failing VMREAD or
 * VMWRITE of RIP. The Bochs test test_fastpath_bochs checks the same on the
 * emulated CPU; this one needs no emulator and names the first
 * difference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "tests/unit/baseline.h"
#include "arch/fake/fake_cpu.h"
#include "vmm/hypercall.h"
#include "vmm/notify.h"
#include "vmm/sched.h"
#include "vmm/fastpath/fastpath.h"
#include "vmm/trace.h"
#include "vmm/vmcs_setup.h"

#define NVMS 2
#define SCRIPT_LEN 300

/* Each VM's script, by its VMCS region's index in arch/fake. */
struct script {
	unsigned step;              /* next exit of its script */
	uint64_t rng;               /* random scripts: this VM's generator */
};

/* What goes wrong, and when (0: never): the k-th VMREAD or VMWRITE of
 * guest RIP (over both VMs) fails with VMfailValid; at a VM's exit number
 * rip_jump VM 1's RIP is put at jump_to (default: just below 4 GiB, so the
 * next RIP crosses 4 GiB: outside 64-bit mode EIP wraps to the bottom, in
 * 64-bit mode the row passes it). With a seed, each
 * VM's script is random instead (random_exit).
 * The cache model's policy is first unless policy names another (parsed
 * as on the command line); the VMs are prot32 guests unless long64. Like
 * a real CPU, the fake one saves a RIP at or above 4 GiB only for a
 * long64 guest (shadow_fill relies on it); it saves no entry controls:
 * the VMM's 1 for long64 stays, as an exit from 64-bit mode with
 * IA32_VMX_MISC bit 5 would save it. no_lma_save clears that bit in the
 * capabilities the shadow sees. */
struct scenario {
	const char *name;
	uint64_t fail_rip_read, fail_rip_write;
	unsigned rip_jump;
	uint64_t seed;
	const char *policy;
	bool long64;
	uint64_t jump_to;
	bool no_lma_save;
	unsigned hc_at;     /* VM 1's exit number hc_at is an HC_VMID with upper halves set */
	unsigned vm1_len;   /* VM 1's script ends after this many exits (0: SCRIPT_LEN) */
	bool no_timer;      /* no preemption-timer exits in the scripts */
};

static struct {
	struct script script[NVMS];
	const struct scenario *sc;
	const struct vmcs_shadow *shadow[NVMS];   /* the VMs' shadows, as at each entry */
	uint64_t shadow_digest;
	bool hc_pending;    /* VM 1 made the hypercall; its RAX at its next entry is the result */
	uint64_t hc_ret;
} cpu;

#define RIP_ENC (vmcs_field_encoding(VMCS_guest_rip) & 0xffff)

/* The k-th VMREAD or VMWRITE of guest RIP fails when the scenario says. */
static struct vmx_result fake_fail(enum fake_insn insn, uint32_t enc, uint64_t k)
{
	uint64_t at = insn == F_VMREAD ? cpu.sc->fail_rip_read : cpu.sc->fail_rip_write;
	if ((enc & 0xffff) == RIP_ENC && k == at)
		return (struct vmx_result){ VMX_FAIL_VALID, 12 };
	return (struct vmx_result){ VMX_OK, 0 };
}

static unsigned vm_index(const struct fake_vmcs *v)
{
	return (unsigned)(v - fake_cpu.vmcs);
}

/* A random script's next exit (xorshift64 per VM, so every run of a seed
 * sees the same exits whatever the interleaving): runs of CPUIDs of 2 to
 * 15 bytes, timer exits, console bytes, CPUIDs after a jump elsewhere, now
 * and then a RIP just below 4 GiB (EIP wraps outside 64-bit mode); for a
 * long64 guest also jumps above 4 GiB, to either canonical half, just
 * below the end of the lower half (entered past it: bits 63:48 stay
 * identical) and just below 2^48 (refused once RIP passes it). */
static uint32_t random_exit(struct fake_vmcs *v, uint64_t *len, uint64_t *qual)
{
	struct script *sc = &cpu.script[vm_index(v)];
	sc->rng ^= sc->rng << 13;
	sc->rng ^= sc->rng >> 7;
	sc->rng ^= sc->rng << 17;
	unsigned r = (unsigned)(sc->rng % 1000);
	*len = 2 + (sc->rng >> 20) % 14;
	*qual = 0;
	if (r < 60)
		return *len = 0, EXIT_preemption_timer;
	if (r < 120)
		return *len = 1, *qual = 0x3f8ull << 16, EXIT_io;
	if (r < 170)
		v->val[RIP_ENC] = 0x1000 + (sc->rng >> 32) % 0x7fff0000;
	else if (r < 172)
		v->val[RIP_ENC] = 0xfffffff0ull;
	else if (!cpu.sc->long64)
		;
	else if (r < 173)
		v->val[RIP_ENC] = (sc->rng >> 40) & 1 ? 0x0000fffffffffff0ull : 0x00007ffffffffff0ull;
	else if (r < 190)
		v->val[RIP_ENC] = (r % 2 ? 0xffff800000000000ull : 1ull << 32) + (sc->rng >> 34);
	return EXIT_cpuid;
}

/* Exit k of a VM's script: mostly CPUIDs of varying length, a timer exit
 * every 50, a console byte every 37, HLT at the end; or random_exit. */
static void script_exit(struct fake_vmcs *v)
{
	static const unsigned lens[] = { 2, 3, 4, 15 };
	unsigned k = cpu.script[vm_index(v)].step++;
	uint32_t reason = EXIT_cpuid;
	uint64_t len = lens[k % 4], qual = 0;
	unsigned end = vm_index(v) == 0 && cpu.sc->vm1_len ? cpu.sc->vm1_len : SCRIPT_LEN;
	if (k >= end)
		reason = EXIT_hlt, len = 1;
	else if (cpu.sc->seed)
		reason = random_exit(v, &len, &qual);
	else if (k % 50 == 49 && !cpu.sc->no_timer)
		reason = EXIT_preemption_timer, len = 0;
	else if (k % 37 == 36)
		reason = EXIT_io, len = 1, qual = 0x3f8ull << 16;   /* out dx, al to COM1 */
	v->val[vmcs_field_encoding(VMCS_exit_reason) & 0xffff] = reason;
	v->val[vmcs_field_encoding(VMCS_exit_instr_len) & 0xffff] = len;
	v->val[vmcs_field_encoding(VMCS_exit_qualification) & 0xffff] = qual;
	if (k + 1 == cpu.sc->rip_jump && vm_index(v) == 0)
		v->val[RIP_ENC] = cpu.sc->jump_to ? cpu.sc->jump_to : 0xfffffffeull;
}

/* Folds the entered VM's shadow (values, known and dirty bits, what the
 * last exit's RIP said of the mode) into the run's digest: the paths must
 * enter with the same shadow every time, not only end with it. */
static void digest_shadow(void)
{
	const unsigned char *p = (const unsigned char *)cpu.shadow[vm_index(fake_cpu.current)];
	for (size_t i = 0; i < sizeof(struct vmcs_shadow); i++)
		cpu.shadow_digest = (cpu.shadow_digest ^ p[i]) * 1099511628211ull;
}

/* A VMCALL of HC_VMID whose registers have their upper halves set, as a
 * 32-bit guest's may (nothing there clears them): RAX = 2^32 + HC_VMID,
 * RBX and RCX likewise. A 32-bit guest's hypercall takes the lower halves
 * (its VM id back); in 64-bit mode RAX is no hypercall (HC_ENOSYS). */
static void hypercall_exit(struct fake_vmcs *v, struct guest_regs *regs)
{
	v->val[vmcs_field_encoding(VMCS_exit_reason) & 0xffff] = EXIT_vmcall;
	v->val[vmcs_field_encoding(VMCS_exit_instr_len) & 0xffff] = 3;
	regs->rax = (1ull << 32) | HC_VMID;
	regs->rbx = (7ull << 32) | 1;
	regs->rcx = 9ull << 32;
	cpu.hc_pending = true;
}

/* At each VM exit (arch/fake runs it once per entry, the fast path's
 * VMRESUMEs included): the shadow as the VM entered, then the script's
 * next exit. */
static void fake_exit(struct guest_regs *regs, struct fake_vmcs *v)
{
	digest_shadow();
	if (cpu.hc_pending && vm_index(v) == 0) {
		cpu.hc_ret = regs->rax;
		cpu.hc_pending = false;
	}
	regs->rax = 'x';             /* the byte an I/O exit prints */
	script_exit(v);
	if (cpu.sc->hc_at && vm_index(v) == 0 && cpu.script[0].step == cpu.sc->hc_at)
		hypercall_exit(v, regs);
}

static char trace_buf[1 << 16];
static size_t trace_len;

static void sink(const char *s, size_t n)
{
	if (trace_len + n < sizeof(trace_buf)) {
		memcpy(trace_buf + trace_len, s, n);
		trace_len += n;
	}
}

/* Everything one run leaves behind. */
struct outcome {
	uint64_t reads[1u << 16], writes[1u << 16];
	uint64_t clears, ptrlds, launches, resumes;
	struct vm_counters n[NVMS];
	struct guest_regs regs[NVMS];
	uint64_t rip[NVMS];
	enum vm_state state[NVMS];
	uint32_t slices[NVMS];
	struct pmr_counters pmr[NVMS];
	struct vmcs_shadow shadow[NVMS];
	struct pmr_cache cache;
	char why[NVMS][160];
	uint64_t exits[64], vmreads[64], vmwrites[64];
	uint64_t fast_entries, replay_entries;
	uint64_t shadow_digest;
	uint64_t hc_ret;
	char trace[sizeof(trace_buf)];
	size_t trace_len;
};

enum mode { SLOW, FAST_NOREPLAY, FAST };

static void run(enum mode mode, const struct scenario *sc, struct outcome *o)
{
	static struct vmx_caps caps;
	static struct pmr_cache pmr;
	static struct notify n;
	static struct vm vms[NVMS];
	static struct host_state h;
	static const struct guest_image prot32 = { "script", MODE_PROT32, 64, "", NULL, NULL, GUEST_FLAT };
	static const struct guest_image long64 = { "script64", MODE_LONG64, 64, "", NULL, NULL, GUEST_FLAT };
	struct pmr_config pc;

	memset(&cpu, 0, sizeof(cpu));
	cpu.sc = sc;
	fake_cpu_reset();
	fake_cpu.fail = fake_fail;
	fake_cpu.on_exit = fake_exit;
	memset(vms, 0, sizeof(vms));
	trace_len = 0;
	baseline_caps(&caps);
	if (sc->no_lma_save)
		caps.misc &= ~MISC_EXIT_SAVES_LMA;
	baseline_host_state(&h);
	pmr_config_default(&pc);
	pc.slots = 1;                      /* two VMs, one slot: evictions too */
	if (sc->policy)
		assert_true(pmr_parse_policy(sc->policy, (unsigned)strlen(sc->policy), &pc));
	assert_true(pmr_init(&pmr, &pc));
	notify_init(&n, &caps, &pmr, vmcs_setup, &h);
	trace_set_sink(sink);
	trace_set_detail(false);
	for (unsigned i = 0; i < NVMS; i++) {
		vms[i].id = i + 1;
		vms[i].image = sc->long64 ? &long64 : &prot32;
		vms[i].start = vm_start_flat();
		vms[i].state = VM_RUNNABLE;
		vms[i].mem_size = 65536;
		vms[i].ept_pa = 0x200000 + i * 0x10000;
		vms[i].vmcs_pa = 0x300000 + i * 0x1000;
		fake_cpu.vmcs[i].pa = vms[i].vmcs_pa;
		cpu.script[i].rng = sc->seed * 2654435761u + i + 1;
		shadow_init(&vms[i].shadow);
		cpu.shadow[i] = &vms[i].shadow;
	}
	struct sched s = { .n = &n, .vms = vms, .count = NVMS, .quantum = 20000, .ptimer = true };
	static struct fastpath fp;
	memset(&fp, 0, sizeof(fp));
	if (mode != SLOW)
		fastpath_attach_sched(&fp, &n, &s, mode == FAST);
	sched_run(&s);
	assert_int_equal(fake_cpu.unexpected, 0);   /* every VMX failure was the scenario's */

	memcpy(o->reads, fake_cpu.reads, sizeof(o->reads));
	memcpy(o->writes, fake_cpu.writes, sizeof(o->writes));
	o->clears = fake_cpu.count[F_VMCLEAR];
	o->ptrlds = fake_cpu.count[F_VMPTRLD];
	o->launches = fake_cpu.count[F_VMLAUNCH];
	o->resumes = fake_cpu.count[F_VMRESUME];
	for (unsigned i = 0; i < NVMS; i++) {
		o->n[i] = vms[i].n;
		o->regs[i] = vms[i].regs;
		o->rip[i] = *fake_field(&fake_cpu.vmcs[i], VMCS_guest_rip);
		o->state[i] = vms[i].state;
		o->slices[i] = vms[i].slices;
		o->pmr[i] = *pmr_vm_counters(&pmr, i + 1);
		o->shadow[i] = vms[i].shadow;
		memcpy(o->why[i], vms[i].why, sizeof(o->why[i]));
	}
	(void)pmr_total(&pmr);
	o->cache = pmr;
	memcpy(o->exits, n.costs.exits, sizeof(o->exits));
	memcpy(o->vmreads, n.costs.vmreads, sizeof(o->vmreads));
	memcpy(o->vmwrites, n.costs.vmwrites, sizeof(o->vmwrites));
	o->fast_entries = fp.entries;
	o->replay_entries = fp.replay_entries;
	o->shadow_digest = cpu.shadow_digest;
	o->hc_ret = cpu.hc_ret;
	memcpy(o->trace, trace_buf, trace_len);
	o->trace_len = trace_len;
}

static struct outcome fast_run, noreplay_run, slow_run;
static const struct scenario plain = { .name = "plain" };

/* Every observable of a fast run and the slow run, equal; the first
 * difference named. */
static void assert_same_as_slow(const char *what, const struct outcome *f)
{
	for (unsigned e = 0; e < (1u << 16); e++) {
		if (f->reads[e] != slow_run.reads[e])
			fail_msg("%s: VMREADs of 0x%x: fast %llu, slow %llu", what, e,
				 (unsigned long long)f->reads[e], (unsigned long long)slow_run.reads[e]);
		if (f->writes[e] != slow_run.writes[e])
			fail_msg("%s: VMWRITEs of 0x%x: fast %llu, slow %llu", what, e,
				 (unsigned long long)f->writes[e], (unsigned long long)slow_run.writes[e]);
	}
	assert_int_equal(f->clears, slow_run.clears);
	assert_int_equal(f->ptrlds, slow_run.ptrlds);
	assert_int_equal(f->launches, slow_run.launches);
	assert_int_equal(f->resumes, slow_run.resumes);
	for (unsigned i = 0; i < NVMS; i++) {
		assert_int_equal(f->state[i], slow_run.state[i]);
		assert_int_equal(f->slices[i], slow_run.slices[i]);
		assert_string_equal(f->why[i], slow_run.why[i]);
		assert_memory_equal(&f->n[i], &slow_run.n[i], sizeof(f->n[i]));
		assert_memory_equal(&f->regs[i], &slow_run.regs[i], sizeof(f->regs[i]));
		assert_memory_equal(&f->pmr[i], &slow_run.pmr[i], sizeof(f->pmr[i]));
		assert_memory_equal(&f->shadow[i], &slow_run.shadow[i], sizeof(f->shadow[i]));
		assert_int_equal(f->rip[i], slow_run.rip[i]);
	}
	assert_int_equal(f->hc_ret, slow_run.hc_ret);
	if (f->shadow_digest != slow_run.shadow_digest)
		fail_msg("%s: a VM was entered with another shadow than on the slow path", what);
	assert_memory_equal(&f->cache, &slow_run.cache, sizeof(f->cache));
	assert_memory_equal(f->exits, slow_run.exits, sizeof(f->exits));
	assert_memory_equal(f->vmreads, slow_run.vmreads, sizeof(f->vmreads));
	assert_memory_equal(f->vmwrites, slow_run.vmwrites, sizeof(f->vmwrites));
	assert_int_equal(f->trace_len, slow_run.trace_len);
	assert_true(f->trace_len > 0);
	assert_memory_equal(f->trace, slow_run.trace, f->trace_len);
	assert_int_equal(slow_run.fast_entries, 0);
}

static void assert_same_runs(const char *what)
{
	assert_same_as_slow(what, &fast_run);
	assert_same_as_slow(what, &noreplay_run);
}

static void test_both_paths_run_the_script_to_the_end(void **state)
{
	(void)state;
	run(FAST, &plain, &fast_run);
	run(FAST_NOREPLAY, &plain, &noreplay_run);
	run(SLOW, &plain, &slow_run);
	for (unsigned i = 0; i < NVMS; i++) {
		assert_int_equal(fast_run.state[i], VM_DONE);
		assert_int_equal(slow_run.state[i], VM_DONE);
		assert_int_equal(fast_run.n[i].exits, SCRIPT_LEN + 1);
	}
	assert_true(fast_run.fast_entries > SCRIPT_LEN);   /* most entries were fast */
	/* and most of those replayed: all but the first CPUID of a slice and
	 * the one after another exit or a switch */
	assert_true(fast_run.replay_entries > SCRIPT_LEN);
	assert_true(fast_run.replay_entries < fast_run.fast_entries);
	assert_int_equal(noreplay_run.fast_entries, fast_run.fast_entries);
	assert_int_equal(noreplay_run.replay_entries, 0);
	assert_int_equal(slow_run.replay_entries, 0);
}

/* Same VMX instructions, counters, registers, RIPs, shadows (values,
 * known and dirty bits), cache model (down to the LRU ticks), costs and
 * trace. */
static void test_fast_and_slow_paths_leave_the_same_state(void **state)
{
	(void)state;
	assert_same_runs("plain");
	/* RIP advanced by every instruction's own length: 300 CPUID/I/O exits
	 * of the script's lengths, none for timer exits; the HLT ends it. */
	uint64_t want = 0;
	for (unsigned k = 0; k < SCRIPT_LEN; k++)
		if (k % 50 != 49)
			want += k % 37 == 36 ? 1 : (const unsigned[]){ 2, 3, 4, 15 }[k % 4];
	assert_int_equal(fast_run.rip[0] - 0x1000, want);
}

/* One scenario with the replay, with the fast path alone and on the
 * slow path; the three must leave the same state. */
static void run_three(const struct scenario *sc)
{
	run(FAST, sc, &fast_run);
	run(FAST_NOREPLAY, sc, &noreplay_run);
	run(SLOW, sc, &slow_run);
	assert_same_runs(sc->name);
}

/* A slice ends after SCHED_SLICE_EXITS exits only while another VM is
 * runnable. Without timer exits, VM 1 (70 exits) and VM 2 alternate in
 * slices of 64 exits until VM 1 ends in its second; VM 2, alone from then
 * on, runs its remaining 236 exits in one slice, on all three paths. */
static void test_a_vm_alone_keeps_its_slice(void **state)
{
	(void)state;
	static const struct scenario alone = { .name = "alone", .vm1_len = 70, .no_timer = true };
	run_three(&alone);
	assert_int_equal(slow_run.state[0], VM_DONE);
	assert_int_equal(slow_run.state[1], VM_DONE);
	assert_int_equal(slow_run.slices[0], 2);
	assert_int_equal(slow_run.slices[1], 2);
	assert_true(fast_run.replay_entries > 200);
}

/* The replay's ways out, each mid-slice while a replay is armed: a RIP
 * the row guest.rip.high refuses (the entry is predicted to fail), a
 * failing VMREAD of RIP, a failing VMWRITE of RIP. The VM concerned stops
 * for the same reason on both paths, with the same instructions issued,
 * and the other VM runs to its end. */
static void run_scenario(const struct scenario *sc, const char *why)
{
	run_three(sc);
	unsigned stopped = 0;
	for (unsigned i = 0; i < NVMS; i++)
		if (fast_run.state[i] == VM_STOPPED) {
			stopped++;
			if (!strstr(fast_run.why[i], why))
				fail_msg("%s: VM %u stopped for \"%s\", not \"%s\"", sc->name, i + 1, fast_run.why[i], why);
		} else {
			assert_int_equal(fast_run.state[i], VM_DONE);
		}
	assert_int_equal(stopped, 1);
	assert_true(fast_run.replay_entries > 0);
}

/* A 32-bit guest's CPUID that ends at 4 GiB (saved RIP 0xfffffffe, 15
 * bytes): the next EIP is 0xd, not 2^32 + 0xd, which the row would
 * refuse. The replay declines the exit (the new RIP is at or above 4 GiB,
 * the saved one below), the fast path reads the mode once (the control
 * says not IA-32e, so CS is not read) and wraps; both VMs run to their
 * end with RIP advanced from there. */
static void test_eip_wraps_at_4_gib(void **state)
{
	(void)state;
	static const struct scenario sc = { .name = "eip wraps at 4 GiB", .rip_jump = 20 };
	const uint16_t cs_ar = vmcs_field_encoding(VMCS_guest_cs_ar) & 0xffff;
	const uint16_t ctl = vmcs_field_encoding(VMCS_entry_controls) & 0xffff;
	run_three(&sc);
	for (unsigned i = 0; i < NVMS; i++)
		assert_int_equal(fast_run.state[i], VM_DONE);
	uint64_t want = 0xd;
	for (unsigned k = 20; k < SCRIPT_LEN; k++)
		if (k % 50 != 49)
			want += k % 37 == 36 ? 1 : (const unsigned[]){ 2, 3, 4, 15 }[k % 4];
	assert_int_equal(fast_run.rip[0], want);
	assert_int_equal(fast_run.reads[ctl], 1);
	assert_int_equal(fast_run.reads[cs_ar], 0);
	assert_true(fast_run.replay_entries > SCRIPT_LEN);
}

/* A 64-bit guest above 4 GiB: the RIP an exit saved there says the
 * guest was in 64-bit mode, so the row takes the canonical rule without
 * reading the "IA-32e mode guest" control or CS, and the replay goes on
 * there as below 4 GiB. The one exit that crosses 4 GiB from below is
 * declined to the fast path, which reads the mode once (the saved RIP was
 * low). Both VMs end. */
static void test_long64_replays_above_4_gib(void **state)
{
	(void)state;
	static const struct scenario sc = { .name = "long64, rip above 4 GiB", .rip_jump = 20, .long64 = true };
	const uint16_t cs_ar = vmcs_field_encoding(VMCS_guest_cs_ar) & 0xffff;
	const uint16_t ctl = vmcs_field_encoding(VMCS_entry_controls) & 0xffff;
	run(FAST, &plain, &fast_run);
	uint64_t plain_replays = fast_run.replay_entries;
	run_three(&sc);
	for (unsigned i = 0; i < NVMS; i++)
		assert_int_equal(fast_run.state[i], VM_DONE);
	assert_true(fast_run.rip[0] >> 32);
	assert_int_equal(fast_run.reads[cs_ar], 1);
	assert_int_equal(fast_run.reads[ctl], 1);
	/* as many replays as the plain script's, but for the crossing exit
	 * and the one after it (which finds the mode known and arms again) */
	assert_int_equal(fast_run.replay_entries, plain_replays - 2);
}

/* The same where IA32_VMX_MISC bit 5 is 0: an exit leaves the control
 * as the VMM wrote it, so the saved RIP says nothing of it and the row
 * reads it (the shadow forgets it at every exit all the same); CS.L still
 * comes from the saved RIP. The replay declines above 4 GiB. */
static void test_long64_without_lma_save_reads_the_control(void **state)
{
	(void)state;
	static const struct scenario sc = { .name = "long64, rip above 4 GiB, no LMA save", .rip_jump = 20,
					    .long64 = true, .no_lma_save = true };
	const uint16_t cs_ar = vmcs_field_encoding(VMCS_guest_cs_ar) & 0xffff;
	const uint16_t ctl = vmcs_field_encoding(VMCS_entry_controls) & 0xffff;
	run_three(&sc);
	for (unsigned i = 0; i < NVMS; i++)
		assert_int_equal(fast_run.state[i], VM_DONE);
	assert_int_equal(fast_run.reads[cs_ar], 1);
	assert_true(fast_run.reads[ctl] > 200);          /* once per VM 1 entry above 4 GiB */
	assert_true(fast_run.replay_entries > SCRIPT_LEN / 2);   /* VM 2's, and VM 1's first 20 */
	assert_true(fast_run.replay_entries < noreplay_run.fast_entries - 200);
}

/* A 64-bit guest's next RIP with bits 63:48 differing (past 2^48): the
 * row refuses it on every path (SDM 27.3.1.4, bits 63:N identical). */
static void test_long64_refuses_rip_bits_63_48_differing(void **state)
{
	(void)state;
	static const struct scenario sc = { .name = "long64, rip bits 63:48 differ", .rip_jump = 20, .long64 = true,
					    .jump_to = 0x0000fffffffffffeull };
	run_scenario(&sc, "check=guest.rip.high");
}

/* An instruction that ends at the top of the lower half: the next RIP,
 * 0x0000800000000000 and on, is not canonical but has bits 63:48
 * identical, so it enters (the guest's next fetch would raise #GP), and
 * the replay takes it like any other 64-bit RIP. */
static void test_long64_enters_a_rip_that_is_not_canonical(void **state)
{
	(void)state;
	static const struct scenario sc = { .name = "long64, rip past the lower half", .rip_jump = 20,
					    .long64 = true, .jump_to = 0x00007ffffffffffeull };
	run_three(&sc);
	for (unsigned i = 0; i < NVMS; i++)
		assert_int_equal(fast_run.state[i], VM_DONE);
	assert_true(fast_run.rip[0] > 0x0000800000000000ull && (fast_run.rip[0] >> 48) == 0);
	assert_true(fast_run.replay_entries > SCRIPT_LEN);
}

/* Hypercall arguments: a 32-bit guest's are their lower halves, a 64-bit
 * guest's are whole (exits.c, hc_args), on every path. */
static void test_hypercall_arguments_follow_the_mode(void **state)
{
	(void)state;
	static const struct scenario sc32 = { .name = "HC_VMID, upper halves set, prot32", .hc_at = 30 };
	static const struct scenario sc64 = { .name = "HC_VMID, upper halves set, long64", .hc_at = 30,
					      .long64 = true };
	run_three(&sc32);
	assert_int_equal(fast_run.hc_ret, 1);
	assert_int_equal(fast_run.state[0], VM_DONE);
	run_three(&sc64);
	assert_int_equal(fast_run.hc_ret, HC_ENOSYS);
	assert_int_equal(fast_run.state[0], VM_DONE);
}

static void test_replay_stops_the_vm_on_a_failed_vmread(void **state)
{
	(void)state;
	static const struct scenario sc = { .name = "VMREAD of RIP fails", .fail_rip_read = 25 };
	run_scenario(&sc, "cannot read guest RIP");
}

static void test_replay_stops_the_vm_on_a_failed_vmwrite(void **state)
{
	(void)state;
	static const struct scenario sc = { .name = "VMWRITE of RIP fails", .fail_rip_write = 27 };
	run_scenario(&sc, "cannot write guest RIP");
}

/* Random scripts, 40 seeds under each cache policy, half of them for
 * 64-bit guests: whatever the mix of exits, lengths, jumps and refused
 * RIPs, replay, fast path alone and slow path leave the same state
 * (history's window included); and the replay was taken under each
 * policy. */
static void test_random_scripts_leave_the_same_state(void **state)
{
	static const char *const policy[] = { "first", "threshold:3", "history:4" };
	uint64_t replays[3] = { 0 }, stopped = 0;
	(void)state;
	for (uint64_t seed = 1; seed <= 3 * 40; seed++) {
		const char *pol = policy[seed % 3];
		char name[48];
		snprintf(name, sizeof(name), "seed %llu, %s, %s", (unsigned long long)seed, pol,
			 seed % 2 ? "prot32" : "long64");
		const struct scenario sc = { .name = name, .seed = seed, .policy = pol, .long64 = seed % 2 == 0 };
		run_three(&sc);
		replays[seed % 3] += fast_run.replay_entries;
		for (unsigned i = 0; i < NVMS; i++)
			stopped += fast_run.state[i] == VM_STOPPED;
	}
	for (unsigned p = 0; p < 3; p++)
		if (replays[p] < 40 * 100)
			fail_msg("%s: only %llu replays in 40 scripts", policy[p], (unsigned long long)replays[p]);
	assert_true(stopped > 0);              /* some refused RIPs were met */
	assert_true(stopped < 3 * 40 * NVMS);  /* and many scripts ran to the HLT */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_paths_run_the_script_to_the_end),
		cmocka_unit_test(test_fast_and_slow_paths_leave_the_same_state),
		cmocka_unit_test(test_eip_wraps_at_4_gib),
		cmocka_unit_test(test_a_vm_alone_keeps_its_slice),
		cmocka_unit_test(test_long64_replays_above_4_gib),
		cmocka_unit_test(test_long64_without_lma_save_reads_the_control),
		cmocka_unit_test(test_long64_refuses_rip_bits_63_48_differing),
		cmocka_unit_test(test_long64_enters_a_rip_that_is_not_canonical),
		cmocka_unit_test(test_hypercall_arguments_follow_the_mode),
		cmocka_unit_test(test_replay_stops_the_vm_on_a_failed_vmread),
		cmocka_unit_test(test_replay_stops_the_vm_on_a_failed_vmwrite),
		cmocka_unit_test(test_random_scripts_leave_the_same_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
