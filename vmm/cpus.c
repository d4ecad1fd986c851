/* cpus_start and cpus_stop: which CPUs, in what order, and what each
 * reports. The mechanism (IPIs, trampoline, mailbox) is arch/x86/smp.c. */
#include "vmm/cpus.h"
#include "vmm/trace.h"
#include "arch/x86/madt.h"
#include "arch/x86/smp.h"
#include "arch/x86/vmx.h"

#define AP_STACK_PAGES 4
#define AP_EXIT_STACK_PAGES 4

static unsigned ncpus = 1;         /* CPUs used, the boot CPU included */

/* Run on the application processor itself: its capabilities against the
 * boot CPU's, then VMXON (SDM Vol. 3C 24.7: each logical processor enters
 * VMX operation on its own, with its own VMXON region). */
static void ap_vmx_on(struct percpu *c, void *arg)
{
	const struct vmx_caps *boot_caps = arg;
	vmx_caps_read(&c->caps);
	const char *msr = vmx_caps_differ(boot_caps, &c->caps);
	if (msr) {
		c->state = CPU_REFUSED;
		trace_hv(TEV_HV_smp_cpu, "of=%u apic=%u role=ap vmxon=refused why=\"%s differs from CPU 0's\"",
			 cpu_this(), c->apic_id, msr);
		return;
	}
	vmx_enable_feature_control();
	struct vmx_result r = vmx_on(c->vmxon_pa, &c->caps);
	c->state = r.status == VMX_OK ? CPU_VMX_ON : CPU_FAILED;
	trace_hv(TEV_HV_smp_cpu, "of=%u apic=%u role=ap vmxon=%s error=%u", cpu_this(), c->apic_id,
		 vmx_status_name(r.status), r.error);
}

static void ap_vmx_off(struct percpu *c, void *arg)
{
	(void)arg;
	struct vmx_result r = vmx_off();
	if (r.status == VMX_OK)
		c->state = CPU_VMX_OFF;
	trace_hv(TEV_HV_smp_vmxoff, "of=%u status=%s", cpu_this(), vmx_status_name(r.status));
}

/* Start the CPU with this APIC ID as index i and put it in VMX operation:
 * true when it got there. */
static bool start_one(const struct cpus_env *e, unsigned i, uint32_t apic)
{
	uint64_t stack = pagealloc_get(e->pool, AP_STACK_PAGES);
	uint64_t exit_stack = pagealloc_get(e->pool, AP_EXIT_STACK_PAGES);
	uint64_t vmxon = pagealloc_get(e->pool, 1);
	if (!stack || !exit_stack || !vmxon) {
		trace_hv(TEV_HV_smp_cpu, "of=%u apic=%u role=ap vmxon=nostart why=\"no memory\"", i, apic);
		return false;
	}
	const char *err = smp_start(i, apic, stack + AP_STACK_PAGES * 4096);
	if (err) {
		trace_hv(TEV_HV_smp_cpu, "of=%u apic=%u role=ap vmxon=nostart why=\"%s\"", i, apic, err);
		return false;
	}
	struct percpu *c = smp_cpu(i);
	c->vmxon_pa = vmxon;
	/* the entry stub keeps the entry in progress just above the top */
	c->exit_stack_top = exit_stack + AP_EXIT_STACK_PAGES * 4096 - VMX_EXIT_BLOCK;
	smp_call(i, ap_vmx_on, (void *)e->caps);
	if (!smp_wait(i)) {
		trace_hv(TEV_HV_smp_cpu, "of=%u apic=%u role=ap vmxon=noanswer", i, apic);
		return false;
	}
	return c->state == CPU_VMX_ON;
}

/* The MADT's CPUs and the start-up made ready: NULL, or why the boot CPU
 * stays alone. The start-up page is written only when there is another
 * CPU to start or reset. */
static const char *prepare(const struct cpus_env *e, struct madt_cpus *m)
{
	const char *err = acpi_madt_cpus(e->acpi_rsdp, m);
	if (err || m->enabled <= 1)
		return err;
	uint64_t pt = pagealloc_get(e->pool, SMP_PT_PAGES);
	return pt ? smp_prepare(e->ap_page, pt) : "no memory for the start-up page tables";
}

void cpus_start(const struct cpus_env *e)
{
	struct madt_cpus m;
	const char *err = prepare(e, &m);
	struct percpu *boot = smp_cpu(0);
	trace_hv(TEV_HV_smp_cpu, "of=0 apic=%u role=bsp vmxon=ok", boot->apic_id);
	if (err) {
		trace_hv(TEV_HV_smp, "found=%u cpus=1 started=0 why=\"%s\"", m.enabled, err);
		return;
	}
	unsigned want = e->want ? e->want : SMP_MAX_CPUS, started = 0;
	for (unsigned k = 0; k < m.kept && m.enabled > 1; k++) {
		uint32_t apic = m.apic_id[k];
		if (apic == boot->apic_id)
			continue;
		if (ncpus >= want) {
			smp_reset(apic);       /* unused: halted in wait-for-SIPI */
			continue;
		}
		started += start_one(e, ncpus, apic);
		ncpus++;
	}
	trace_hv(TEV_HV_smp, "found=%u cpus=%u started=%u", m.enabled, ncpus, started);
}

unsigned cpus_usable(void)
{
	unsigned k = 1;
	while (k < ncpus && smp_cpu(k)->state == CPU_VMX_ON)
		k++;
	return k;
}

void cpus_stop(void)
{
	for (unsigned i = 1; i < ncpus; i++) {
		struct percpu *c = smp_cpu(i);
		if (c->state != CPU_VMX_ON)
			continue;
		smp_call(i, ap_vmx_off, 0);
		if (!smp_wait(i))
			trace_hv(TEV_HV_smp_vmxoff, "of=%u status=noanswer", i);
	}
}
