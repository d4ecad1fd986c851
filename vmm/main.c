/* hv_main: from a filled bootinfo to VMX operation, the VMs, and off. */
#include "bootinfo.h"
#ifndef SV_VERSION
#define SV_VERSION "unknown"  /* the Makefile passes git describe */
#endif
#include "config.h"
#include "entrycheck.h"
#include "ept.h"
#include "exits.h"
#include "fmt.h"
#include "guests.h"
#include "shadow/entry_checks.h"
#include "notify.h"
#include "pagealloc.h"
#include "sched.h"
#include "trace.h"
#include "vmcs_setup.h"
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

static void __attribute__((noreturn)) halt(int status)
{
	trace_hv("halt status=%s", status ? "fail" : "ok");
	boot->power_off(status);
}

static void report_exception(const struct exception_frame *f, uint64_t cr2)
{
	trace_hv("exception vector=%llu error=0x%llx rip=0x%llx cr2=0x%llx",
		 (unsigned long long)f->vector, (unsigned long long)f->error,
		 (unsigned long long)f->rip, (unsigned long long)cr2);
	halt(1);
}

static void __attribute__((noreturn)) fatal(const char *what)
{
	char q[256];
	trace_quote(q, sizeof(q), what, strlen(what));
	trace_hv("error what=%s", q);
	halt(1);
}

/* Say why VT-x cannot be used here and what to run instead. */
static void __attribute__((noreturn)) no_vmx(const char *reason)
{
	trace_hv("novmx reason=\"%s\" hint=\"this CPU cannot run shadowvisor's guests; run 'make run-bochs' "
		 "(Bochs emulates VMX), or boot on an Intel host with VT-x (KVM nested: 'make run')\"", reason);
	halt(1);
}

static uint64_t now(void)
{
	return rdtsc();
}

static const struct vmx_ops hw_ops = {
	vmx_clear, vmx_ptrld, vmx_read, vmx_write, vmx_enter, now,
};

static void probe_cpu(void)
{
	struct vmx_support s;
	memset(&s, 0, sizeof(s));
	vmx_probe(&s);
	if (s.vmx && !s.feature_locked_off)
		vmx_caps_read(&caps);
	trace_hv("cpu vendor=%s vmx=%d feature_control=0x%llx vmcs_rev=0x%llx ept=%d ug=%d vpid=%d ptimer=%d "
		 "save_ptimer=%d maxphyaddr=%u linaddr=%u rtm=%d cet=%d",
		 s.vendor, s.vmx, (unsigned long long)s.feature_control,
		 (unsigned long long)(caps.basic & 0x7fffffff), s.ept, s.ug, s.vpid, s.ptimer,
		 s.save_ptimer, caps.maxphyaddr, vmx_linaddr_bits(&caps), caps.rtm, caps.cet);
	if (!s.vmx)
		no_vmx("CPUID.1:ECX.VMX is 0: no VT-x (an AMD CPU, QEMU TCG, or a hypervisor that hides VMX)");
	if (s.feature_locked_off)
		no_vmx("IA32_FEATURE_CONTROL is locked with VMX disabled: enable VT-x in the firmware set-up");
	if (!s.ept || !s.ug)
		no_vmx("EPT and unrestricted guest are both required");
	if (!s.invept_global)
		no_vmx("INVEPT all-context is required");
	vmx_enable_feature_control();
	host.ptimer = s.ptimer;
	host.save_ptimer = s.save_ptimer;
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
			trace_vm(vm->id, "error what=\"INVEPT failed\"");
		pagealloc_put(&pool, vm->ept_pa, EPT_PAGES);
	}
	if (vm->vmcs_pa)
		pagealloc_put(&pool, vm->vmcs_pa, 1);
	vm->mem_pa = vm->ept_pa = vm->vmcs_pa = 0;
}

static void vm_create(struct vm *vm, unsigned id, const struct guest_image *g)
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
	*(uint32_t *)vm->vmcs_pa = (uint32_t)(caps.basic & 0x7fffffff);   /* revision id */
	shadow_init(&vm->shadow);
	if (!notifier.quiet)
		trace_vm(id, "create guest=%s mem=%uK mode=%s entry=0x1000 image=%llu", g->name, g->mem_kb,
			 guest_mode_name(g->mode), (unsigned long long)size);
}

static void summary(void)
{
	uint64_t t[6] = { 0 };
	for (unsigned i = 0; i < cfg.nvms; i++) {
		const struct vm *vm = &vms[i];
		const struct pmr_counters *p = pmr_vm_counters(&pmr, vm->id);
		trace_vm(vm->id, "stats entries=%llu launches=%llu resumes=%llu exits=%llu checks_full=%llu "
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
	trace_hv("summary vms=%u entries=%llu launches=%llu resumes=%llu exits=%llu checks_full=%llu "
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
			trace_hv("costs reason=%s exits=%llu vmreads=%llu vmwrites=%llu", exit_reason_name(r),
				 (unsigned long long)c->exits[r], (unsigned long long)c->vmreads[r],
				 (unsigned long long)c->vmwrites[r]);
	uint64_t launches = 0;
	for (unsigned i = 0; i < cfg.nvms; i++)
		launches += vms[i].n.launches;
	trace_hv("costs reason=vmcs_setup exits=%llu vmreads=%llu vmwrites=%llu", (unsigned long long)launches,
		 (unsigned long long)c->vmreads[NOTIFY_COSTS_SETUP], (unsigned long long)c->vmwrites[NOTIFY_COSTS_SETUP]);
	trace_hv("timing boot_to_first_entry=%llu validate_full_tsc=%llu validate_dirty_tsc=%llu fast_entries=%llu replay_entries=%llu",
		 (unsigned long long)(c->first_entry_tsc ? c->first_entry_tsc - boot->tsc_boot : 0),
		 (unsigned long long)c->validate_full_tsc, (unsigned long long)c->validate_dirty_tsc,
		 (unsigned long long)notifier.fast_entries, (unsigned long long)notifier.replay_entries);
}

static void trace_config(void)
{
	char list[VM_MAX * 12] = "", policy[32];
	size_t o = 0;
	for (unsigned i = 0; i < cfg.nvms; i++)
		o += fmt(list + o, sizeof(list) - o, "%s%s", i ? "," : "", cfg.vms[i]->name);
	pmr_policy_format(&cfg.pmr, policy, sizeof(policy));
	trace_hv("config vms=%s policy=%s slots=%u quantum=%u trace=%s fastpath=%s", list, policy,
		 cfg.pmr.slots, cfg.quantum, cfg.trace_summary ? "summary" : "all", cfg.fastpath_off ? "off" : cfg.replay_off ? "noreplay" : "on");
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
	struct vmx_selftest t;
	vmx_selftest_inline(scratch, (uint32_t)(caps.basic & 0x7fffffff), caps.misc, &t);
	char wbad[32], rbad[32], wro[32], none[32];
	result_word(wbad, sizeof(wbad), t.write_bad);
	result_word(rbad, sizeof(rbad), t.read_bad);
	result_word(wro, sizeof(wro), t.write_ro);
	result_word(none, sizeof(none), t.no_current);
	trace_hv("vmx_selftest setup=%s write_bad=%s read_bad=%s write_ro=%s misc29=%d roundtrip=%s "
		 "no_current=%s result=%s",
		 vmx_status_name(t.setup.status), wbad, rbad, wro, t.write_ro_allowed, t.roundtrip ? "ok" : "fail",
		 none, t.ok ? "ok" : "fail");
	pagealloc_put(&pool, scratch, 1);
}

/* entrycheck=: the probe VM instead of the demo VMs. */
static void differential(uint64_t vmxon_pa)
{
	struct ec_env e = { &notifier, { &vms[0], &vms[1], &vms[2] }, &pool, vmxon_pa,
			    (uint32_t)(caps.basic & 0x7fffffff), vmx_enter_after_movss };
	struct ec_totals t;
	memset(&t, 0, sizeof(t));
	static const char *const probe_guest[PROBE_COUNT] = { "probe", "probe64", "probe16" };
	uint64_t seed;
	unsigned count;
	bool resume;
	bool random = entrycheck_parse_random(cfg.entrycheck, cfg.entrycheck_len, &seed, &count, &resume);
	if (!random && !boot->entrycheck)
		fatal("entrycheck= names a case file that was not loaded (GRUB: module2 FILE; UEFI: FILE on the boot volume), "
		      "or is not random:SEED:COUNT[:resume]");
	/* The probe's own VMX instructions are not traced: the case lines
	 * say what each case did. */
	notifier.quiet = true;
	for (unsigned i = 0; i < PROBE_COUNT; i++)
		vm_create(&vms[i], i + 1, guest_find(probe_guest[i], (unsigned)strlen(probe_guest[i])));
	cfg.nvms = PROBE_COUNT;
	if (random)
		entrycheck_random(&e, seed, count, resume, &t);
	else
		entrycheck_file(&e, boot->entrycheck, boot->entrycheck_len, &t);
	for (unsigned i = 0; i < PROBE_COUNT; i++)
		notify_last(&notifier, &vms[i]);
	notifier.quiet = false;
	trace_hv("entrycheck mode=%s cases=%u agree=%u disagree=%u departures=%u wrong=%u malformed=%u errors=%u "
		 "skipped=%u", random ? resume ? "random_resume" : "random" : "file", t.cases, t.agree, t.disagree, t.departures, t.wrong,
		 t.malformed, t.errors, t.skipped);
}

void hv_main(const struct bootinfo *bi)
{
	boot = bi;
	trace_set_sink(serial_write);
	exception_report = report_exception;
	desc_init();
	char quoted[300];
	trace_quote(quoted, sizeof(quoted), bi->cmdline, strlen(bi->cmdline));
	trace_hv("boot path=%s mem=%lluK ranges=%u pool=%lluK casefile=%llu cmdline=%s version=%s", bi->path,
		 (unsigned long long)(bi->usable_bytes >> 10), bi->usable_ranges,
		 (unsigned long long)(bi->pool_size >> 10), (unsigned long long)bi->entrycheck_len, quoted,
		 SV_VERSION);
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
	trace_hv("vmxon status=%s error=%u", vmx_status_name(r.status), r.error);
	if (r.status != VMX_OK)
		fatal("VMXON failed");
	selftest();
	read_host_state();
	pmr_init(&pmr, &cfg.pmr);
	notify_init(&notifier, &hw_ops, &caps, &pmr, vmcs_setup, &host);
	notifier.own_lo = bi->pool_base;
	notifier.own_hi = bi->pool_base + bi->pool_size;
	if (cfg.entrycheck) {
		differential(vmxon_region);
	} else {
		for (unsigned i = 0; i < cfg.nvms; i++)
			vm_create(&vms[i], i + 1, cfg.vms[i]);
		struct sched s = { &notifier, vms, cfg.nvms, cfg.quantum, host.ptimer, 0, vm_release };
		sched_fast_path(&s, !cfg.fastpath_off, !cfg.replay_off);
		sched_run(&s);
		summary();
		costs();
	}
	r = vmx_off();
	trace_hv("vmxoff status=%s", vmx_status_name(r.status));
	halt(r.status == VMX_OK ? 0 : 1);
}
