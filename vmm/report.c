/* The hypervisor's reports on the trace (report.h). */
#include "vmm/report.h"
#include "vmm/fmt.h"
#include "vmm/trace.h"

void report_config(const struct config *cfg)
{
	char list[VM_MAX * 24] = "", policy[32];
	size_t o = 0;
	for (unsigned i = 0; i < cfg->nvms; i++) {
		o += fmt(list + o, sizeof(list) - o, "%s%s", i ? "," : "", cfg->vms[i]->name);
		if (cfg->mem_kb[i])
			o += fmt(list + o, sizeof(list) - o, ":%uK", cfg->mem_kb[i]);
	}
	pmr_policy_format(&cfg->pmr, policy, sizeof(policy));
	char cpus[64] = "", mig[24];
	size_t n = 0;
	if (cfg->cpus)
		n += fmt(cpus + n, sizeof(cpus) - n, " cpus=%u", cfg->cpus);
	if (cfg->migrate.kind != MIGRATE_NONE) {
		migrate_format(&cfg->migrate, mig, sizeof(mig));
		n += fmt(cpus + n, sizeof(cpus) - n, " migrate=%s", mig);
	}
	if (cfg->checkcpu)
		fmt(cpus + n, sizeof(cpus) - n, " checkcpu=%u", cfg->checkcpu);
	trace_hv(TEV_HV_config, "vms=%s policy=%s slots=%u quantum=%u trace=%s testhc=%s fastpath=%s%s", list,
		 policy, cfg->pmr.slots, cfg->quantum, cfg->trace_summary ? "summary" : "all",
		 cfg->testhc ? "on" : "off", cfg->fastpath_off ? "off" : cfg->replay_off ? "noreplay" : "on", cpus);
}

static void result_word(char *buf, size_t size, struct vmx_result r)
{
	if (r.status == VMX_FAIL_VALID)
		fmt(buf, size, "vmfail_valid:%u", r.error);
	else
		fmt(buf, size, "%s", vmx_status_name(r.status));
}

void report_selftest(const struct vmx_selftest *t)
{
	char wbad[32], rbad[32], wro[32], none[32];
	result_word(wbad, sizeof(wbad), t->write_bad);
	result_word(rbad, sizeof(rbad), t->read_bad);
	result_word(wro, sizeof(wro), t->write_ro);
	result_word(none, sizeof(none), t->no_current);
	trace_hv(TEV_HV_vmx_selftest, "setup=%s write_bad=%s read_bad=%s write_ro=%s misc29=%d roundtrip=%s "
		 "no_current=%s result=%s",
		 vmx_status_name(t->setup.status), wbad, rbad, wro, t->write_ro_allowed, t->roundtrip ? "ok" : "fail",
		 none, t->ok ? "ok" : "fail");
}

/* A VM's cache-model counters: the sum over the processors' models (a VM
 * that moved has counts in more than one). */
static struct pmr_counters vm_pmr(struct notify *const *cpus, unsigned ncpus, unsigned id)
{
	struct pmr_counters t = { 0 };
	for (unsigned c = 0; c < ncpus; c++) {
		const struct pmr_counters *p = pmr_vm_counters(cpus[c]->pmr, id);
		t.hits += p->hits, t.misses += p->misses, t.allocs += p->allocs, t.evicts += p->evicts;
		t.flushes += p->flushes, t.invalidates += p->invalidates, t.miss_bytes += p->miss_bytes;
	}
	return t;
}

/* One line per processor: the entries it made (its cache model sees each
 * one as a hit or a miss), its model's counters, the VMs moved in and out. */
static void report_cpus(struct notify *const *cpus, unsigned ncpus, struct pmr_counters *t)
{
	for (unsigned c = 0; c < ncpus; c++) {
		const struct pmr_counters *p = pmr_total(cpus[c]->pmr);
		trace_hv(TEV_HV_cpu_stats, "of=%u entries=%llu moves_in=%llu moves_out=%llu pmr_hits=%llu "
			 "pmr_misses=%llu pmr_allocs=%llu pmr_evicts=%llu pmr_flushes=%llu pmr_invalidates=%llu "
			 "pmr_miss_bytes=%llu",
			 cpus[c]->smp.cpu, (unsigned long long)(p->hits + p->misses),
			 (unsigned long long)cpus[c]->smp.moves_in, (unsigned long long)cpus[c]->smp.moves_out,
			 (unsigned long long)p->hits, (unsigned long long)p->misses,
			 (unsigned long long)p->allocs, (unsigned long long)p->evicts,
			 (unsigned long long)p->flushes, (unsigned long long)p->invalidates,
			 (unsigned long long)p->miss_bytes);
		t->hits += p->hits, t->misses += p->misses, t->allocs += p->allocs, t->evicts += p->evicts;
		t->flushes += p->flushes, t->invalidates += p->invalidates, t->miss_bytes += p->miss_bytes;
	}
}

void report_summary(const struct vm *vms, unsigned count, struct notify *const *cpus, unsigned ncpus)
{
	uint64_t t[6] = { 0 };
	for (unsigned i = 0; i < count; i++) {
		const struct vm *vm = &vms[i];
		const struct pmr_counters p = vm_pmr(cpus, ncpus, vm->id);
		trace_vm(vm->id, TEV_VM_stats, "entries=%llu launches=%llu resumes=%llu exits=%llu checks_full=%llu "
			 "checks_dirty=%llu pmr_hits=%llu pmr_misses=%llu pmr_allocs=%llu pmr_evicts=%llu "
			 "pmr_flushes=%llu pmr_invalidates=%llu pmr_miss_bytes=%llu",
			 (unsigned long long)vm->n.entries, (unsigned long long)vm->n.launches,
			 (unsigned long long)vm->n.resumes, (unsigned long long)vm->n.exits,
			 (unsigned long long)vm->n.checks_full, (unsigned long long)vm->n.checks_dirty,
			 (unsigned long long)p.hits, (unsigned long long)p.misses,
			 (unsigned long long)p.allocs, (unsigned long long)p.evicts,
			 (unsigned long long)p.flushes, (unsigned long long)p.invalidates,
			 (unsigned long long)p.miss_bytes);
		t[0] += vm->n.entries, t[1] += vm->n.launches, t[2] += vm->n.resumes;
		t[3] += vm->n.exits, t[4] += vm->n.checks_full, t[5] += vm->n.checks_dirty;
	}
	struct pmr_counters p = { 0 };
	report_cpus(cpus, ncpus, &p);
	trace_hv(TEV_HV_summary, "vms=%u entries=%llu launches=%llu resumes=%llu exits=%llu checks_full=%llu "
		 "checks_dirty=%llu pmr_hits=%llu pmr_misses=%llu pmr_allocs=%llu pmr_evicts=%llu "
		 "pmr_flushes=%llu pmr_invalidates=%llu pmr_miss_bytes=%llu",
		 count, (unsigned long long)t[0], (unsigned long long)t[1], (unsigned long long)t[2],
		 (unsigned long long)t[3], (unsigned long long)t[4], (unsigned long long)t[5],
		 (unsigned long long)p.hits, (unsigned long long)p.misses, (unsigned long long)p.allocs,
		 (unsigned long long)p.evicts, (unsigned long long)p.flushes,
		 (unsigned long long)p.invalidates, (unsigned long long)p.miss_bytes);
}

/* What VMX work each exit reason cost, and where time went (make bench). */
void report_costs(const struct notify_costs *c, const struct vm *vms, unsigned count, uint64_t tsc_boot,
		  const struct fastpath *fast)
{
	for (unsigned r = 0; r < 63; r++)
		if (c->exits[r])
			trace_hv(TEV_HV_costs, "reason=%s exits=%llu vmreads=%llu vmwrites=%llu", exit_reason_name(r),
				 (unsigned long long)c->exits[r], (unsigned long long)c->vmreads[r],
				 (unsigned long long)c->vmwrites[r]);
	uint64_t launches = 0;
	for (unsigned i = 0; i < count; i++)
		launches += vms[i].n.launches;
	trace_hv(TEV_HV_costs, "reason=vmcs_setup exits=%llu vmreads=%llu vmwrites=%llu", (unsigned long long)launches,
		 (unsigned long long)c->vmreads[NOTIFY_COSTS_SETUP], (unsigned long long)c->vmwrites[NOTIFY_COSTS_SETUP]);
	trace_hv(TEV_HV_timing, "boot_to_first_entry=%llu validate_full_tsc=%llu validate_dirty_tsc=%llu fast_entries=%llu replay_entries=%llu",
		 (unsigned long long)(c->first_entry_tsc ? c->first_entry_tsc - tsc_boot : 0),
		 (unsigned long long)c->validate_full_tsc, (unsigned long long)c->validate_dirty_tsc,
		 (unsigned long long)fast->entries, (unsigned long long)fast->replay_entries);
}
