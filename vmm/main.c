/* hv_main: from a filled bootinfo to VMX operation, the VMs, and off. */
#include "bootinfo.h"
#include "config.h"
#include "ept.h"
#include "exits.h"
#include "fastpath/fastpath.h"
#include "fmt.h"
#include "guests.h"
#include "shadow/entry_checks.h"
#include "notify.h"
#include "pagealloc.h"
#include "sched.h"
#include "trace.h"
#include "vmcs_setup.h"
#include "rig/entrycheck/entrycheck.h"
#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/serial.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_selftest.h"
#include <string.h>

static const struct bootinfo *boot;
static struct pagealloc pool;
static struct vmx_caps caps;
static struct config cfg;
static struct vm vms[VM_MAX];
static struct pmr_cache pmr;
static struct notify notifier;
static struct host_state host;
static struct fastpath fast;

static void __attribute__((noreturn)) halt(int status)
{
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
	host.ptimer = vmx_has_ptimer(&caps);
	host.save_ptimer = vmx_has_save_ptimer(&caps);
}

static void read_host_state(void)
{
	struct desc_bases b;
	desc_bases(&b);
	host.cr0 = read_cr0();
	host.cr3 = read_cr3();
	host.cr4 = read_cr4();
	host.gdt_base = b.gdt;
	host.idt_base = b.idt;
	host.tr_base = b.tss;
	host.fs_base = rdmsr(MSR_FS_BASE);
	host.gs_base = rdmsr(MSR_GS_BASE);
	host.cs = SEL_CODE;
	host.ds = SEL_DATA;
	host.tr = SEL_TSS;
	host.rip = vmx_exit_rip();
	host.rsp = vmx_exit_rsp();
	host.quantum = cfg.quantum;
}

static unsigned mem_pages(const struct vm *vm)
{
	return (unsigned)(vm->mem_size / PAGE_SIZE);
}

static void vm_release(struct vm *vm)
{
	if (vm->mem_pa)
		pagealloc_put(&pool, vm->mem_pa, mem_pages(vm));
	if (vm->ept_pa) {
		/* Cached translations of this EPT must not outlive its pages. */
		struct vmx_result r = vmx_invept_global();
		if (r.status != VMX_OK)
			trace_vm(vm->id, TEV_VM_error, "what=\"INVEPT failed\"");
		pagealloc_put(&pool, vm->ept_pa, EPT_PAGES);
	}
	if (vm->vmcs_pa)
		pagealloc_put(&pool, vm->vmcs_pa, 1);
	vm->mem_pa = vm->ept_pa = vm->vmcs_pa = 0;
}

/* A VM of guest image g, ready for its first entry (not traced). */
static void vm_build(struct vm *vm, unsigned id, const struct guest_image *g)
{
	memset(vm, 0, sizeof(*vm));
	vm->id = id;
	vm->image = g;
	vm->mem_size = (uint64_t)g->mem_kb * 1024;
	vm->mem_pa = pagealloc_get(&pool, mem_pages(vm));
	vm->vmcs_pa = pagealloc_get(&pool, 1);
	if (vm->mem_pa)
		vm->ept_pa = ept_build(&pool, vm->mem_pa, vm->mem_size);
	uint64_t size = (uint64_t)(g->end - g->start);
	if (!vm->mem_pa || !vm->vmcs_pa || !vm->ept_pa ||
	    size > vm->mem_size - 0x1000 - 0x100 - guest_reserved_top(g->mode))
		fatal("out of memory, or a guest image larger than its memory");
	/* VM entry with "IA-32e mode guest" = 1 is what puts it in 64-bit mode. */
	if (g->mode == MODE_LONG64 && !(caps.entry.may_be_1 & ENTRY_IA32E_GUEST))
		fatal("this CPU cannot enter 64-bit guests (VM-entry control \"IA-32e mode guest\" not allowed)");
	memcpy((void *)(vm->mem_pa + 0x1000), g->start, size);
	if (g->mode == MODE_LONG64)
		guest_build_tables((uint8_t *)vm->mem_pa, vm->mem_size);
	*(uint32_t *)vm->vmcs_pa = vmx_revision_id(&caps);   /* revision id */
	shadow_init(&vm->shadow);
	vm->test_hypercalls = cfg.testhc;
}

static void vm_create(struct vm *vm, unsigned id, const struct guest_image *g)
{
	vm_build(vm, id, g);
	trace_vm(id, TEV_VM_create, "guest=%s mem=%uK mode=%s entry=0x1000 image=%llu", g->name, g->mem_kb,
		 guest_mode_name(g->mode), (unsigned long long)(g->end - g->start));
}

/* The differential mode's probes, by guest name. */
static void probe_create(struct vm *vm, unsigned id, const char *guest)
{
	vm_build(vm, id, guest_find(guest, (unsigned)strlen(guest)));
}

static void summary(void)
{
	uint64_t t[6] = { 0 };
	for (unsigned i = 0; i < cfg.nvms; i++) {
		const struct vm *vm = &vms[i];
		const struct pmr_counters *p = pmr_vm_counters(&pmr, vm->id);
		trace_vm(vm->id, TEV_VM_stats, "entries=%llu launches=%llu resumes=%llu exits=%llu checks_full=%llu "
			 "checks_dirty=%llu pmr_hits=%llu pmr_misses=%llu pmr_allocs=%llu pmr_evicts=%llu "
			 "pmr_flushes=%llu pmr_invalidates=%llu pmr_miss_bytes=%llu",
			 (unsigned long long)vm->n.entries, (unsigned long long)vm->n.launches,
			 (unsigned long long)vm->n.resumes, (unsigned long long)vm->n.exits,
			 (unsigned long long)vm->n.checks_full, (unsigned long long)vm->n.checks_dirty,
			 (unsigned long long)p->hits, (unsigned long long)p->misses,
			 (unsigned long long)p->allocs, (unsigned long long)p->evicts,
			 (unsigned long long)p->flushes, (unsigned long long)p->invalidates,
			 (unsigned long long)p->miss_bytes);
		t[0] += vm->n.entries, t[1] += vm->n.launches, t[2] += vm->n.resumes;
		t[3] += vm->n.exits, t[4] += vm->n.checks_full, t[5] += vm->n.checks_dirty;
	}
	const struct pmr_counters *p = pmr_total(&pmr);
	trace_hv(TEV_HV_summary, "vms=%u entries=%llu launches=%llu resumes=%llu exits=%llu checks_full=%llu "
		 "checks_dirty=%llu pmr_hits=%llu pmr_misses=%llu pmr_allocs=%llu pmr_evicts=%llu "
		 "pmr_flushes=%llu pmr_invalidates=%llu pmr_miss_bytes=%llu",
		 cfg.nvms, (unsigned long long)t[0], (unsigned long long)t[1], (unsigned long long)t[2],
		 (unsigned long long)t[3], (unsigned long long)t[4], (unsigned long long)t[5],
		 (unsigned long long)p->hits, (unsigned long long)p->misses, (unsigned long long)p->allocs,
		 (unsigned long long)p->evicts, (unsigned long long)p->flushes,
		 (unsigned long long)p->invalidates, (unsigned long long)p->miss_bytes);
}

/* What VMX work each exit reason cost, and where time went (make bench). */
static void costs(void)
{
	const struct notify_costs *c = &notifier.costs;
	for (unsigned r = 0; r < 63; r++)
		if (c->exits[r])
			trace_hv(TEV_HV_costs, "reason=%s exits=%llu vmreads=%llu vmwrites=%llu", exit_reason_name(r),
				 (unsigned long long)c->exits[r], (unsigned long long)c->vmreads[r],
				 (unsigned long long)c->vmwrites[r]);
	uint64_t launches = 0;
	for (unsigned i = 0; i < cfg.nvms; i++)
		launches += vms[i].n.launches;
	trace_hv(TEV_HV_costs, "reason=vmcs_setup exits=%llu vmreads=%llu vmwrites=%llu", (unsigned long long)launches,
		 (unsigned long long)c->vmreads[NOTIFY_COSTS_SETUP], (unsigned long long)c->vmwrites[NOTIFY_COSTS_SETUP]);
	trace_hv(TEV_HV_timing, "boot_to_first_entry=%llu validate_full_tsc=%llu validate_dirty_tsc=%llu fast_entries=%llu replay_entries=%llu",
		 (unsigned long long)(c->first_entry_tsc ? c->first_entry_tsc - boot->tsc_boot : 0),
		 (unsigned long long)c->validate_full_tsc, (unsigned long long)c->validate_dirty_tsc,
		 (unsigned long long)fast.entries, (unsigned long long)fast.replay_entries);
}

static void trace_config(void)
{
	char list[VM_MAX * 12] = "", policy[32];
	size_t o = 0;
	for (unsigned i = 0; i < cfg.nvms; i++)
		o += fmt(list + o, sizeof(list) - o, "%s%s", i ? "," : "", cfg.vms[i]->name);
	pmr_policy_format(&cfg.pmr, policy, sizeof(policy));
	trace_hv(TEV_HV_config, "vms=%s policy=%s slots=%u quantum=%u trace=%s testhc=%s fastpath=%s", list, policy,
		 cfg.pmr.slots, cfg.quantum, cfg.trace_summary ? "summary" : "all", cfg.testhc ? "on" : "off",
		 cfg.fastpath_off ? "off" : cfg.replay_off ? "noreplay" : "on");
}

static void result_word(char *buf, size_t size, struct vmx_result r)
{
	if (r.status == VMX_FAIL_VALID)
		fmt(buf, size, "vmfail_valid:%u", r.error);
	else
		fmt(buf, size, "%s", vmx_status_name(r.status));
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
	char wbad[32], rbad[32], wro[32], none[32];
	result_word(wbad, sizeof(wbad), t.write_bad);
	result_word(rbad, sizeof(rbad), t.read_bad);
	result_word(wro, sizeof(wro), t.write_ro);
	result_word(none, sizeof(none), t.no_current);
	trace_hv(TEV_HV_vmx_selftest, "setup=%s write_bad=%s read_bad=%s write_ro=%s misc29=%d roundtrip=%s "
		 "no_current=%s result=%s",
		 vmx_status_name(t.setup.status), wbad, rbad, wro, t.write_ro_allowed, t.roundtrip ? "ok" : "fail",
		 none, t.ok ? "ok" : "fail");
	pagealloc_put(&pool, scratch, 1);
}

_Static_assert(VM_MAX >= ENTRYCHECK_PROBES, "the probes take VM slots");

/* entrycheck=: the differential mode's probes instead of the demo VMs. */
static void differential(uint64_t vmxon_pa)
{
	const struct entrycheck_env e = { &notifier, &pool, vmxon_pa, vmx_revision_id(&caps),
					  vmx_enter_after_movss, vms, probe_create, boot->entrycheck,
					  boot->entrycheck_len };
	const char *err = entrycheck_run(&e, cfg.entrycheck, cfg.entrycheck_len);
	if (err)
		fatal(err);
}

void hv_main(const struct bootinfo *bi)
{
	boot = bi;
	trace_set_sink(serial_write);
	exception_report = report_exception;
	desc_init();
	char quoted[300];
	trace_quote(quoted, sizeof(quoted), bi->cmdline, strlen(bi->cmdline));
	trace_hv(TEV_HV_boot, "path=%s mem=%lluK ranges=%u pool=%lluK casefile=%llu cmdline=%s", bi->path,
		 (unsigned long long)(bi->usable_bytes >> 10), bi->usable_ranges,
		 (unsigned long long)(bi->pool_size >> 10), (unsigned long long)bi->entrycheck_len, quoted);
	char err[160];
	if (!config_parse(bi->cmdline, guest_find, &cfg, err, sizeof(err)))
		fatal(err);
	probe_cpu();
	trace_set_detail(!cfg.trace_summary);
	trace_config();
	pagealloc_init(&pool, bi->pool_base, bi->pool_size);
	uint64_t vmxon_region = pagealloc_get(&pool, 1);
	if (!vmxon_region)
		fatal("no memory for the VMXON region");
	struct vmx_result r = vmx_on(vmxon_region, &caps);
	trace_hv(TEV_HV_vmxon, "status=%s error=%u", vmx_status_name(r.status), r.error);
	if (r.status != VMX_OK)
		fatal("VMXON failed");
	selftest();
	read_host_state();
	pmr_init(&pmr, &cfg.pmr);
	notify_init(&notifier, &caps, &pmr, vmcs_setup, &host);
	notifier.own_lo = bi->pool_base;
	notifier.own_hi = bi->pool_base + bi->pool_size;
	if (cfg.entrycheck) {
		differential(vmxon_region);
	} else {
		for (unsigned i = 0; i < cfg.nvms; i++)
			vm_create(&vms[i], i + 1, cfg.vms[i]);
		struct sched s = { &notifier, vms, cfg.nvms, cfg.quantum, host.ptimer, 0, vm_release };
		if (!cfg.fastpath_off)
			fastpath_attach_sched(&fast, &notifier, &s, !cfg.replay_off);
		sched_run(&s);
		summary();
		costs();
	}
	r = vmx_off();
	trace_hv(TEV_HV_vmxoff, "status=%s", vmx_status_name(r.status));
	halt(r.status == VMX_OK ? 0 : 1);
}
