/* hv_main: from a filled bootinfo to VMX operation, the VMs, and off. */
#include "vmm/bootinfo.h"
#ifndef SV_VERSION
#define SV_VERSION "unknown"  /* the Makefile passes git describe */
#endif
#include "vmm/config.h"
#include "vmm/cpus.h"
#include "vmm/exits.h"
#include "vmm/fastpath/fastpath.h"
#include "vmm/fmt.h"
#include "vmm/guests.h"
#include "vmm/shadow/entry_checks.h"
#include "vmm/notify.h"
#include "vmm/pagealloc.h"
#include "vmm/report.h"
#include "vmm/run.h"
#include "vmm/sched.h"
#include "vmm/trace.h"
#include "vmm/vmcs_setup.h"
#include "rig/entrycheck/entrycheck.h"
#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/serial.h"
#include "arch/x86/smp.h"
#include "arch/x86/tsc.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_selftest.h"
#include <string.h>

static const struct bootinfo *boot;
static struct pagealloc pool;
static struct vmx_caps caps;
static struct config cfg;
static struct vm vms[VM_MAX];
static struct run_env run;
static struct linux_files linux_files;
static uint64_t tsc_hz;

/* Power off; on the boot CPU the others leave VMX operation first (a
 * failure after their start-up ends the run too). */
static void __attribute__((noreturn)) halt(int status)
{
	if (cpu_this() == 0)
		cpus_stop();
	trace_hv(TEV_HV_halt, "status=%s", status ? "fail" : "ok");
	boot->power_off(status);
}

static void report_exception(const struct exception_frame *f, uint64_t cr2)
{
	trace_hv(TEV_HV_exception, "vector=%llu error=0x%llx rip=0x%llx cr2=0x%llx",
		 (unsigned long long)f->vector, (unsigned long long)f->error,
		 (unsigned long long)f->rip, (unsigned long long)cr2);
	halt(1);
}

static void __attribute__((noreturn)) fatal(const char *what)
{
	char q[256];
	trace_quote(q, sizeof(q), what, strlen(what));
	trace_hv(TEV_HV_error, "what=%s", q);
	halt(1);
}

/* Say why VT-x cannot be used here and what to run instead. */
static void __attribute__((noreturn)) no_vmx(const char *reason)
{
	trace_hv(TEV_HV_novmx, "reason=\"%s\" hint=\"this CPU cannot run shadowvisor's guests; run 'make run-bochs' "
		 "(Bochs emulates VMX), or boot on an Intel host with VT-x (KVM nested: 'make run')\"", reason);
	halt(1);
}

static void probe_cpu(void)
{
	vmx_caps_read(&caps);
	trace_hv(TEV_HV_cpu, "vendor=%s vmx=%d feature_control=0x%llx vmcs_rev=0x%llx ept=%d ug=%d vpid=%d ptimer=%d "
		 "save_ptimer=%d maxphyaddr=%u linaddr=%u rtm=%d cet=%d",
		 caps.vendor, caps.vmx, (unsigned long long)caps.feature_control,
		 (unsigned long long)vmx_revision_id(&caps), vmx_has_ept(&caps), vmx_has_ug(&caps),
		 vmx_has_vpid(&caps), vmx_has_ptimer(&caps), vmx_has_save_ptimer(&caps), caps.maxphyaddr,
		 vmx_linaddr_bits(&caps), caps.rtm, caps.cet);
	if (!caps.vmx)
		no_vmx("CPUID.1:ECX.VMX is 0: no VT-x (an AMD CPU, QEMU TCG, or a hypervisor that hides VMX)");
	if (caps.feature_locked_off)
		no_vmx("IA32_FEATURE_CONTROL is locked with VMX disabled: enable VT-x in the firmware set-up");
	if (!vmx_has_ept(&caps) || !vmx_has_ug(&caps))
		no_vmx("EPT and unrestricted guest are both required");
	if (!vmx_has_invept_all(&caps))
		no_vmx("INVEPT all-context is required");
	vmx_enable_feature_control();
}

static struct vm_env vm_env(void)
{
	return (struct vm_env){ &pool, &caps, cfg.testhc, &linux_files, tsc_hz };
}

static void create(struct vm *vm, unsigned id, const struct guest_image *g, uint32_t mem_kb)
{
	struct vm_env e = vm_env();
	const char *err = vm_create(vm, id, g, mem_kb, &e);
	if (err)
		fatal(err);
}

/* A PC guest (linux) needs its boot files and the TSC's frequency, for
 * its timer. */
static void pc_prepare(const struct bootinfo *bi)
{
	if (!config_has_pc_guest(&cfg))
		return;
	linux_files = (struct linux_files){ bi->linux_kernel.data, bi->linux_kernel.len, bi->linux_initrd.data,
					    bi->linux_initrd.len, bi->linux_cmdline };
	tsc_hz = tsc_hz_measure();
	trace_hv(TEV_HV_tsc, "hz=%llu how=%s", (unsigned long long)tsc_hz, tsc_hz ? "pit" : "none");
}

static void release(struct vm *vm)
{
	vm_release(vm, &pool);
}

/* The differential mode's probes, by guest name. */
static void probe_create(struct vm *vm, unsigned id, const char *guest)
{
	struct vm_env e = vm_env();
	const char *err = vm_build(vm, id, guest_find(guest, (unsigned)strlen(guest)), 0, &e);
	if (err)
		fatal(err);
}

/* The hot path's inline VMREAD/VMWRITE against the CPU, on a scratch VMCS:
 * the failures must come back classified (README "VMREAD, VMWRITE and
 * RDTSC inline"). A mismatch is reported, not fatal: every VMX result the
 * hypervisor acts on is checked again where it is used. */
static void selftest(void)
{
	uint64_t scratch = pagealloc_get(&pool, 1);
	if (!scratch)
		fatal("no memory for the VMX self-test's VMCS");
	struct vmx_selftest t = { 0 };
	vmx_selftest(scratch, vmx_revision_id(&caps), caps.misc, &t);
	report_selftest(&t);
	pagealloc_put(&pool, scratch, 1);
}

_Static_assert(VM_MAX >= ENTRYCHECK_PROBES, "the probes take VM slots");

/* entrycheck=: the differential mode's probes instead of the demo VMs,
 * on the CPU checkcpu= names (its own notify and VMXON region). */
static struct entrycheck_env check_env;
static const char *check_err;

static void check_on(struct percpu *self, void *arg)
{
	(void)self;
	(void)arg;
	check_err = entrycheck_run(&check_env, cfg.entrycheck, cfg.entrycheck_len);
}

static void differential(uint64_t vmxon_pa, unsigned ncpus)
{
	unsigned k = cfg.checkcpu;
	if (k >= ncpus)
		fatal("checkcpu= names a CPU that is not in VMX operation");
	struct notify *n = run_notify_on(&run, k);
	if (!n)
		fatal("the CPU checkcpu= names does not answer");
	check_env = (struct entrycheck_env){ n, &pool, k ? smp_cpu(k)->vmxon_pa : vmxon_pa, vmx_revision_id(&caps),
					     vmx_enter_after_movss, vms, probe_create, boot->entrycheck,
					     boot->entrycheck_len };
	smp_call(k, check_on, NULL);
	while (!smp_done(k))
		cpu_relax();
	if (check_err)
		fatal(check_err);
}

void hv_main(const struct bootinfo *bi)
{
	boot = bi;
	trace_set_sink(serial_write);
	exception_report = report_exception;
	desc_init();
	smp_init_bsp();
	trace_set_cpu_source(cpu_this);     /* every line says which CPU printed it */
	char quoted[300];
	trace_quote(quoted, sizeof(quoted), bi->cmdline, strlen(bi->cmdline));
	trace_hv(TEV_HV_boot, "path=%s mem=%lluK ranges=%u pool=%lluK casefile=%llu cmdline=%s version=%s", bi->path,
		 (unsigned long long)(bi->usable_bytes >> 10), bi->usable_ranges,
		 (unsigned long long)(bi->pool_size >> 10), (unsigned long long)bi->entrycheck_len, quoted,
		 SV_VERSION);
	char err[160];
	if (!config_parse(bi->cmdline, guest_find, &cfg, err, sizeof(err)))
		fatal(err);
	probe_cpu();
	trace_set_detail(!cfg.trace_summary);
	report_config(&cfg);
	pagealloc_init(&pool, bi->pool_base, bi->pool_size);
	uint64_t vmxon_region = pagealloc_get(&pool, 1);
	if (!vmxon_region)
		fatal("no memory for the VMXON region");
	struct vmx_result r = vmx_on(vmxon_region, &caps);
	trace_hv(TEV_HV_vmxon, "status=%s error=%u", vmx_status_name(r.status), r.error);
	if (r.status != VMX_OK)
		fatal("VMXON failed");
	selftest();
	struct cpus_env ce = { bi->acpi_rsdp, bi->ap_page, cfg.cpus, &pool, &caps };
	cpus_start(&ce);
	run = (struct run_env){ &cfg, &caps, bi->pool_base, bi->pool_base + bi->pool_size, boot->tsc_boot, release };
	unsigned ncpus = cpus_usable();
	if (cfg.entrycheck) {
		differential(vmxon_region, ncpus);
	} else {
		pc_prepare(bi);
		for (unsigned i = 0; i < cfg.nvms; i++)
			create(&vms[i], i + 1, cfg.vms[i], cfg.mem_kb[i]);
		run_vms(&run, vms, cfg.nvms, ncpus);
	}
	cpus_stop();                    /* before CPU 0's own VMXOFF */
	r = vmx_off();
	trace_hv(TEV_HV_vmxoff, "status=%s", vmx_status_name(r.status));
	halt(r.status == VMX_OK ? 0 : 1);
}
