/* The CPUID exit's C path on the host, for `make profile` (callgrind).
 *
 * The hypervisor's own notify, sched, exits and shadow code, linked with a
 * fake CPU (arch/fake, the same one the unit tests link): every VM exit is
 * a CPUID exit (reason 10, instruction length 2) until the last, a HLT.
 * The fake's own instructions (arch/fake/vmx.c) are counted apart from the
 * hypervisor's. One VM enters, then runs N CPUID exits on the fast path
 * (N = argv[1], default 10,000), replayed unless argv[2] is "noreplay"
 * (fastpath=noreplay); with argv[2] "mix", mixbench's exits instead
 * (CPUID, VMCALL, IN, OUT in turn). Dividing
 * callgrind's inclusive counts by N gives instructions per exit and
 * function: the part of the Bochs figure that is C (README "Benchmarks").
 * Not a test; it measures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmm/notify.h"
#include "vmm/sched.h"
#include "vmm/fastpath/fastpath.h"
#include "vmm/trace.h"
#include "vmm/vmcs_setup.h"
#include "vmm/hypercall.h"
#include "tests/unit/baseline.h"
#include "arch/fake/fake_cpu.h"

static long exits_left;

/* Each exit is a CPUID exit; the last one a HLT, which the fast path
 * leaves to the caller. */
static void cpuid_exit(struct guest_regs *regs, struct fake_vmcs *v)
{
	(void)regs;
	*fake_field(v, VMCS_exit_reason) = --exits_left > 0 ? 10 : 12;
	*fake_field(v, VMCS_exit_instr_len) = 2;
}

/* mixbench's loop (guest/mixbench.asm): CPUID, VMCALL HC_VMID, IN from
 * 0x3fd, OUT to 0x80, over and over; the last exit a HLT. */
static void mix_exit(struct guest_regs *regs, struct fake_vmcs *v)
{
	static const uint32_t reason[4] = { 10, 18, 30, 30 };
	static const uint64_t qual[4] = { 0, 0, (0x3fdull << 16) | 8, 0x80ull << 16 };
	static unsigned k;
	unsigned i = k++ % 4;
	*fake_field(v, VMCS_exit_reason) = --exits_left > 0 ? reason[i] : 12;
	*fake_field(v, VMCS_exit_instr_len) = i == 1 ? 3 : 1 + (i == 0);
	*fake_field(v, VMCS_exit_qualification) = qual[i];
	if (i == 1)
		regs->rax = HC_VMID;
}

static void sink(const char *s, size_t n)
{
	(void)s;
	(void)n;
}

int main(int argc, char **argv)
{
	static struct vmx_caps caps;
	static struct pmr_cache pmr;
	static struct notify n;
	static struct vm vm;
	static const struct guest_image img = { "cpuidbench", MODE_PROT32, 64, "", NULL, NULL };
	static struct host_state h;
	struct pmr_config pc;
	long total = argc > 1 ? atol(argv[1]) : 10000;

	fake_cpu_reset();
	const char *mode = argc > 2 ? argv[2] : "";
	fake_cpu.on_exit = strcmp(mode, "mix") == 0 ? mix_exit : cpuid_exit;
	baseline_caps(&caps);
	baseline_host_state(&h);
	pmr_config_default(&pc);
	pmr_init(&pmr, &pc);
	notify_init(&n, &caps, &pmr, vmcs_setup, &h);
	trace_set_sink(sink);
	trace_set_detail(false);
	vm.id = 1;
	vm.image = &img;
	vm.mem_size = 65536;
	vm.ept_pa = 0x200000;
	vm.vmcs_pa = 0x300000;
	shadow_init(&vm.shadow);
	struct sched s = { .n = &n, .vms = &vm, .count = 1, .quantum = 20000, .ptimer = true,
			   .slice_max = SCHED_SLICE_ALONE };
	static struct fastpath fp;
	fastpath_attach_sched(&fp, &n, &s, strcmp(mode, "noreplay") != 0);
	exits_left = total;
	while (exits_left > 0) {
		struct entry_result r;
		vm.slice_exits = 0;                /* one long slice */
		notify_enter(&n, &vm, false, &r);
		if (r.outcome != ENTRY_EXITED) {
			fprintf(stderr, "hotpath: entry outcome %d\n", r.outcome);
			return 1;
		}
	}
	printf("hotpath: %ld CPUID exits, %llu entries on the fast path\n", total,
	       (unsigned long long)fp.entries);
	return 0;
}
