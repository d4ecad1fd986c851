/* Differential mode: the one entry call. Creates the probes, turns the
 * per-instruction trace off for the run (the case lines say what each case
 * did), runs the case file or the random cases, and prints the totals. */
#include "rig/entrycheck/entrycheck_impl.h"
#include "vmm/trace.h"
#include <string.h>

_Static_assert(PROBE_COUNT == ENTRYCHECK_PROBES, "one probe per case_probe");

static const char *const probe_guest[PROBE_COUNT] = { "probe", "probe64", "probe16" };

static void report(const char *mode, const struct ec_totals *t)
{
	trace_hv(TEV_HV_entrycheck, "mode=%s cases=%u agree=%u disagree=%u departures=%u wrong=%u malformed=%u errors=%u "
		 "skipped=%u", mode, t->cases, t->agree, t->disagree, t->departures, t->wrong, t->malformed,
		 t->errors, t->skipped);
}

const char *entrycheck_run(const struct entrycheck_env *env, const char *spec, unsigned spec_len)
{
	struct ec_env e = { env->n, { 0 }, env->pool, env->vmxon_pa, env->revision, env->enter_after_movss };
	struct ec_totals t;
	memset(&t, 0, sizeof(t));
	uint64_t seed;
	unsigned count;
	bool resume;
	bool random = entrycheck_parse_random(spec, spec_len, &seed, &count, &resume);
	if (!random && !env->casefile)
		return "entrycheck= names a case file that was not loaded (GRUB: module2 FILE; UEFI: FILE on the "
		       "boot volume), or is not random:SEED:COUNT[:resume]";
	notify_set_quiet(env->n, true);
	for (unsigned i = 0; i < PROBE_COUNT; i++) {
		e.probe[i] = &env->vms[i];
		env->create(e.probe[i], i + 1, probe_guest[i]);
	}
	if (random)
		entrycheck_random(&e, seed, count, resume, &t);
	else
		entrycheck_file(&e, env->casefile, env->casefile_len, &t);
	for (unsigned i = 0; i < PROBE_COUNT; i++)
		notify_last(env->n, e.probe[i]);
	notify_set_quiet(env->n, false);
	report(random ? resume ? "random_resume" : "random" : "file", &t);
	return NULL;
}
