/* The CPUID exit's C path on the host, for `make profile` (callgrind).
 *
 * The hypervisor's own notify, sched, exits and shadow code, linked with a
 * fake CPU: every VM exit is a CPUID exit (reason 10, instruction length 2)
 * and the fake VMX instructions cost a few instructions, as the real
 * ones do: notify's inline VMREAD/VMWRITE/RDTSC are
 * tools/profile/fake_vmx_inline.h, the rest goes through the fake ops. One VM enters, then runs N CPUID exits on the fast path
 * (N = argv[1], default 10,000), replayed unless argv[2] is "noreplay"
 * (fastpath=noreplay). Dividing
 * callgrind's inclusive counts by N gives instructions per exit and
 * function: the part of the Bochs figure that is C (README "Benchmarks").
 * Not a test; it measures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmm/notify.h"
#include "vmm/sched.h"
#include "vmm/trace.h"
#include "vmm/vmcs_setup.h"
#include "tests/unit/baseline.h"

uint64_t hotpath_vmcs[1u << 16];   /* by encoding; also the inline fake's (fake_vmx_inline.h) */
uint64_t hotpath_tsc;
static long exits_left;

static struct vmx_result ok(void)
{
	return (struct vmx_result){ VMX_OK, 0 };
}

static struct vmx_result fake_clear(uint64_t pa)
{
	(void)pa;
	return ok();
}

static struct vmx_result fake_read(uint32_t enc, uint64_t *v)
{
	*v = hotpath_vmcs[enc & 0xffff];
	return ok();
}

static struct vmx_result fake_write(uint32_t enc, uint64_t v)
{
	hotpath_vmcs[enc & 0xffff] = v;
	return ok();
}

/* Each entry is one CPUID exit; the fast path's again() resumes at once. */
static struct vmx_result fake_enter(struct guest_regs *regs, bool launch, bool (*again)(void *),
				    void *ctx)
{
	(void)regs;
	(void)launch;
	while (--exits_left > 0 && again && again(ctx))
		;
	return ok();
}

static const struct vmx_ops fake_ops = { fake_clear, fake_clear, fake_read, fake_write, fake_enter, NULL };

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

	hotpath_vmcs[vmcs_field_encoding(VMCS_exit_reason) & 0xffff] = 10;   /* CPUID */
	hotpath_vmcs[vmcs_field_encoding(VMCS_exit_instr_len) & 0xffff] = 2;
	baseline_caps(&caps);
	baseline_host_state(&h);
	pmr_config_default(&pc);
	pmr_init(&pmr, &pc);
	notify_init(&n, &fake_ops, &caps, &pmr, vmcs_setup, &h);
	trace_set_sink(sink);
	trace_set_detail(false);
	vm.id = 1;
	vm.image = &img;
	vm.mem_size = 65536;
	vm.ept_pa = 0x200000;
	vm.vmcs_pa = 0x300000;
	shadow_init(&vm.shadow);
	struct sched s = { .n = &n, .vms = &vm, .count = 1, .quantum = 20000, .ptimer = true };
	sched_fast_path(&s, true, !(argc > 2 && strcmp(argv[2], "noreplay") == 0));
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
	       (unsigned long long)n.fast_entries);
	return 0;
}
