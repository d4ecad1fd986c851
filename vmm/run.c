/* Every CPU's share of the VMs: its own VMX state model, its scheduler's
 * loop, and the reports when all have ended. */
#include "vmm/run.h"
#include "vmm/fastpath/fastpath.h"
#include "vmm/migrate.h"
#include "vmm/report.h"
#include "vmm/sched.h"
#include "vmm/trace.h"
#include "vmm/vmcs_setup.h"
#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/vmx.h"
#include "arch/x86/smp.h"
#include <string.h>

/* What one CPU holds: its notify (current VMCS, cache model, costs), the
 * host state its VMCSs get, its fast path and its scheduler. */
struct cpu_vmm {
	struct notify n;
	struct pmr_cache pmr;
	struct host_state host;
	struct fastpath fast;
	struct sched s;
};

static struct cpu_vmm cv[SMP_MAX_CPUS];
static struct sched_world world;
static const struct run_env *env;

/* The running CPU's host state (its control registers, descriptor tables,
 * FS and GS bases, the exit stub and this CPU's exit stack), the
 * preemption timer's from caps, quantum per slice. */
static void host_state_read(struct host_state *h, uint32_t quantum, const struct vmx_caps *caps)
{
	struct desc_bases b;
	desc_bases(&b);
	h->cr0 = read_cr0();
	h->cr3 = read_cr3();
	h->cr4 = read_cr4();
	h->gdt_base = b.gdt;
	h->idt_base = b.idt;
	h->tr_base = b.tss;
	h->fs_base = rdmsr(MSR_FS_BASE);
	h->efer = rdmsr(MSR_IA32_EFER);
	h->pat = rdmsr(MSR_IA32_PAT);
	h->gs_base = rdmsr(MSR_GS_BASE);
	h->cs = SEL_CODE;
	h->ds = SEL_DATA;
	h->tr = SEL_TSS;
	h->rip = vmx_exit_rip();
	h->rsp = vmx_exit_rsp();
	h->quantum = quantum;
	h->ptimer = vmx_has_ptimer(caps);
	h->save_ptimer = vmx_has_save_ptimer(caps);
}

/* On the CPU itself: the host state its VMCSs get (its GDT, IDT, TSS, GS
 * base and exit stack). */
static void read_host(struct percpu *self, void *arg)
{
	(void)arg;
	host_state_read(&cv[self->index].host, env->cfg->quantum, env->caps);
}

/* CPU cpu's notify, cache model and host state, made ready. */
static struct cpu_vmm *prepare(unsigned cpu)
{
	struct cpu_vmm *c = &cv[cpu];
	smp_call(cpu, read_host, NULL);
	if (!smp_wait(cpu))                 /* parked: the doorbell is harmless */
		return NULL;
	pmr_init(&c->pmr, &env->cfg->pmr);
	notify_init(&c->n, env->caps, &c->pmr, vmcs_setup, &c->host);
	notify_set_cpu(&c->n, cpu, NULL, NULL, vmcs_setup_host_percpu);
	c->n.own_lo = env->own_lo;
	c->n.own_hi = env->own_hi;
	return c;
}

struct notify *run_notify_on(const struct run_env *e, unsigned cpu)
{
	env = e;
	struct cpu_vmm *c = prepare(cpu);
	return c ? &c->n : NULL;
}

static void cpu_loop(struct percpu *self, void *arg)
{
	(void)arg;
	sched_run(&cv[self->index].s);
}

/* Every CPU's costs and fast-path counts added up, for the reports. */
static void totals(unsigned ncpus, struct notify_costs *c, struct fastpath *f)
{
	memset(c, 0, sizeof(*c));
	memset(f, 0, sizeof(*f));
	for (unsigned k = 0; k < ncpus; k++) {
		const struct notify_costs *x = &cv[k].n.costs;
		for (unsigned r = 0; r < 64; r++) {
			c->exits[r] += x->exits[r];
			c->vmreads[r] += x->vmreads[r];
			c->vmwrites[r] += x->vmwrites[r];
		}
		c->validate_full_tsc += x->validate_full_tsc;
		c->validate_dirty_tsc += x->validate_dirty_tsc;
		if (x->first_entry_tsc && (!c->first_entry_tsc || x->first_entry_tsc < c->first_entry_tsc))
			c->first_entry_tsc = x->first_entry_tsc;
		f->entries += cv[k].fast.entries;
		f->replay_entries += cv[k].fast.replay_entries;
	}
}

/* Wait for CPU k's loop: it ends once no VM is live, so the wait is
 * bounded by the run's own budgets. */
static void join(unsigned k)
{
	while (!smp_done(k))
		cpu_relax();
}

void run_vms(const struct run_env *e, struct vm *vms, unsigned count, unsigned ncpus)
{
	env = e;
	validate_init();
	unsigned ready = 0;
	while (ready < ncpus && prepare(ready))
		ready++;
	migrate_world_init(&world, ready, &e->cfg->migrate, vms, count);
	uint64_t extra = 0;
	for (unsigned i = 0; i < count; i++)
		extra += vms[i].pc_on ? SCHED_PC_ENTRIES : 0;
	for (unsigned k = 0; k < ready; k++) {
		struct cpu_vmm *c = &cv[k];
		c->s = (struct sched){ .n = &c->n, .vms = vms, .count = count, .w = &world, .cpu = k,
				       .quantum = e->cfg->quantum, .ptimer = c->host.ptimer, .release = e->release,
				       .entries_extra = extra };
		if (!e->cfg->fastpath_off)
			fastpath_attach_sched(&c->fast, &c->n, &c->s, !e->cfg->replay_off);
	}
	for (unsigned k = 1; k < ready; k++)
		smp_call(k, cpu_loop, NULL);
	sched_run(&cv[0].s);
	for (unsigned k = 1; k < ready; k++)
		join(k);
	struct notify *ns[SMP_MAX_CPUS];
	for (unsigned k = 0; k < ready; k++)
		ns[k] = &cv[k].n;
	report_summary(vms, count, ns, ready);
	struct notify_costs c;
	struct fastpath f;
	totals(ready, &c, &f);
	report_costs(&c, vms, count, e->tsc_boot, &f);
}
