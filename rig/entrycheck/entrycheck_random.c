/* Differential mode, random cases (entrycheck=random:SEED:COUNT[:resume]):
 * 1-3 fields of a valid VMCS mutated per case, the shadow's verdict held
 * against the CPU's. */
#include "rig/entrycheck/entrycheck_impl.h"
#include "rig/entrycheck/departures.h"
#include "vmm/fmt.h"
#include <string.h>

/* xorshift64*: a fixed seed gives the same mutations on every run. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* Fields random mode leaves alone, and why: the exit stack and RIP (a
 * valid change would send the host elsewhere), the link pointer and the
 * MSR areas (the CPU would read memory at a random address, where the
 * shadow reads only the VMM's own pages; case files cover them with
 * link= and msrs=), the
 * preemption-timer value and EPTP base (keep every probe run bounded and
 * inside its own memory). */
static bool random_field_ok(enum vmcs_field f)
{
	enum vmcs_kind k = vmcs_field_table[f].kind;
	return k != RO && f != VMCS_host_rip && f != VMCS_host_rsp && f != VMCS_vmcs_link_ptr &&
	       f != VMCS_preemption_timer && f != VMCS_exit_msr_store_count &&
	       f != VMCS_exit_msr_load_count && f != VMCS_entry_msr_load_count &&
	       f != VMCS_exit_msr_store_addr && f != VMCS_exit_msr_load_addr &&
	       f != VMCS_entry_msr_load_addr;
}

static uint64_t random_value(uint64_t *s, enum vmcs_field f, uint64_t valid, unsigned maxphy)
{
	unsigned bits = vmcs_field_table[f].width == W16 ? 16 : vmcs_field_table[f].width == W32 ? 32 : 64;
	uint64_t bit = 1ull << (rnd(s) % bits);
	if (f == VMCS_ept_pointer)        /* attributes and reserved bits only */
		return rnd(s) & 1 ? valid ^ (1ull << (rnd(s) % 12)) : valid | (1ull << (maxphy + rnd(s) % 8));
	switch (rnd(s) % 8) {
	case 0: return 0;
	case 1: return ~0ull;
	case 2: return valid | bit;
	case 3: return valid & ~bit;
	case 4: return rnd(s) % 16;
	case 5: return 0x0000800000000000ull | (rnd(s) & 0xfff000);   /* non-canonical */
	case 6: return 1ull << (maxphy + rnd(s) % 4);                  /* beyond MAXPHYADDR */
	default: return valid ^ bit;
	}
}

/* A random value for field f of vm's valid VMCS, kept from what would
 * make the run unbounded or crash the emulator. */
static uint64_t random_write(struct ec_env *e, struct vm *vm, uint64_t *s, enum vmcs_field f)
{
	uint64_t valid = 0;
	(void)notify_read(e->n, vm, f, &valid);
	uint64_t v = random_value(s, f, valid, e->n->caps->maxphyaddr);
	/* Keep every run bounded: HLT still exits, the timer still fires. */
	if (f == VMCS_proc_controls)
		v |= PROC_HLT_EXITING;
	if (f == VMCS_pin_controls)
		v |= PIN_PREEMPTION_TIMER;
	if (f == VMCS_guest_activity_state && (v == 2 || v == 3))
		v = 1;
	/* Bochs 2.7 panics on injecting type 7 (other event) instead of
	 * failing the entry (README, departures): never ask it to. */
	if (f == VMCS_entry_intr_info && (v >> 31) && ((v >> 8) & 7) == 7)
		v &= ~(1ull << 8);
	return v;
}

void entrycheck_random(struct ec_env *e, uint64_t seed, unsigned count, bool resume, struct ec_totals *t)
{
	uint64_t s = seed ? seed : 1;
	/* COUNT compared cases; skipped ones do not count, within a bound. */
	for (unsigned i = 1; t->cases < count && i <= 4 * count; i++) {
		/* The probes in turn: 32-bit, 64-bit, real mode. */
		enum case_probe probe = (enum case_probe)(i % PROBE_COUNT);
		struct vm *vm = e->probe[probe];
		struct case_write w[3];
		unsigned nw = 1 + (unsigned)(rnd(&s) % 3);
		bool host = false;
		for (unsigned k = 0; k < nw; k++) {
			enum vmcs_field f;
			do
				f = (enum vmcs_field)(rnd(&s) % VMCS_FIELD_COUNT);
			while (!random_field_ok(f));
			host |= vmcs_field_table[f].kind == HOST;
			w[k] = (struct case_write){ f, CASE_SET, 0 };
		}
		if (!fresh_vmcs(e, vm) || !notify_prepare(e->n, vm) || (resume && !launch_to_hlt(e, vm))) {
			t->errors++;
			continue;
		}
		for (unsigned k = 0; k < nw; k++)
			w[k].value = random_write(e, vm, &s, w[k].field);
		char desc[400];
		if (!apply_writes(e, vm, w, nw, desc, sizeof(desc))) {
			t->errors++;
			continue;
		}
		/* A changed host state is loaded by every VM exit, entry failures
		 * included: only a VMfailValid (nothing loaded) keeps the host safe,
		 * so host mutations the shadow does not fail that way are skipped.
		 * The verdict reads what the shadow does not know from the CPU
		 * (read as 0, a forgotten entry control would fail the controls and
		 * let a valid host mutation through). */
		struct verdict pre;
		full_verdict(e, vm, &pre);
		if (host && pre.kind != VERDICT_VMFAIL) {
			t->skipped++;
			continue;
		}
		struct entry_result r;
		static struct vmcs_shadow before;
		before = vm->shadow;
		notify_enter(e->n, vm, true, &r);
		struct outcome shadow = from_verdict(&r.predicted), cpu = from_entry(&r);
		const struct departure *d = outcome_equal(&shadow, &cpu) ? NULL
					    : departure_find(&before, &r.predicted, &cpu);
		const char *res = classify(&shadow, &cpu, d ? &shadow : NULL, d != NULL, t);
		if (strcmp(res, "agree")) {
			char what[440];
			char words[80];
			case_words(words, sizeof(words), resume, probe, LINK_none, PDPT_none);
			fmt(what, sizeof(what), "%swrites=%s", words, desc);
			trace_case(i, what, &shadow, &r, &cpu, NULL, d ? d->id : "", res);
		}
	}
}

bool entrycheck_parse_random(const char *spec, unsigned len, uint64_t *seed, unsigned *count, bool *resume)
{
	*resume = len > 7 && !memcmp(spec + len - 7, ":resume", 7);
	if (*resume)
		len -= 7;
	if (len < 10 || memcmp(spec, "random:", 7))
		return false;
	uint64_t v[2] = { 0, 0 };
	unsigned k = 0, digits = 0;
	for (unsigned i = 7; i < len; i++) {
		if (spec[i] == ':' && k == 0 && digits) {
			k = 1;
			digits = 0;
			continue;
		}
		if (spec[i] < '0' || spec[i] > '9' || ++digits > 18)
			return false;
		v[k] = v[k] * 10 + (uint64_t)(spec[i] - '0');
	}
	if (k != 1 || !digits || v[1] == 0 || v[1] > 1000000)
		return false;
	*seed = v[0];
	*count = (unsigned)v[1];
	return true;
}
