/* The PC platform's exits (vmm/pc/) on arch/fake: a linux-like VM that
 * entered once, then one exit at a time (an entry whose exit the test
 * sets), handled by exits_handle as on the processor: MSRs, CR0 and the
 * switch to IA-32e mode, CPUID, I/O to the devices, interrupt injection
 * and the interrupt window, HLT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "tests/unit/baseline.h"
#include "tests/unit/trace_capture.h"
#include "arch/fake/fake_cpu.h"
#include "vmm/exits.h"
#include "vmm/notify.h"
#include "vmm/pc/pc.h"
#include "vmm/trace.h"
#include "vmm/vmcs_setup.h"
#include "vmm/shadow/entry_checks.h"

static const struct guest_image image = { "linux", MODE_PROT32, 128 * 1024, "", NULL, NULL, GUEST_LINUX };
static uint8_t msr_bitmap[4096];
static uint64_t clock;                  /* the VM's TSC as its devices see it */

static struct {
	struct notify n;
	struct pmr_cache pmr;
	struct vmx_caps caps;
	struct host_state host;
	struct vm vm;
} w;

static struct { uint32_t reason; uint64_t qual, len, rip; } next;

static void set_exit(struct guest_regs *regs, struct fake_vmcs *v)
{
	(void)regs;
	*fake_field(v, VMCS_exit_reason) = next.reason;
	*fake_field(v, VMCS_exit_qualification) = next.qual;
	*fake_field(v, VMCS_exit_instr_len) = next.len;
	*fake_field(v, VMCS_guest_rip) = next.rip;
}

static uint64_t now(void *ctx)
{
	(void)ctx;
	return clock;
}


/* The guest runs again and exits for reason (qualification q, an
 * instruction of len bytes at 0x2000); then its handler. */
static enum exit_action exit_with(uint32_t reason, uint64_t q, uint64_t len)
{
	struct entry_result r;
	next = (typeof(next)){ reason, q, len, 0x2000 };
	fake_cpu.tsc = clock;                   /* the hypervisor's clock is the devices' */
	notify_enter(&w.n, &w.vm, false, &r);
	if (r.outcome != ENTRY_EXITED)
		print_error("outcome %d check %s\n%s\n", (int)r.outcome, r.predicted.check ? r.predicted.check->id : "-", trace_buf);
	assert_int_equal(r.outcome, ENTRY_EXITED);
	forget_trace();
	return exits_handle(&w.n, &w.vm, reason);
}

static uint64_t field(enum vmcs_field f)
{
	uint64_t v = 0;
	assert_true(notify_read(&w.n, &w.vm, f, &v));
	return v;
}

static void set(enum vmcs_field f, uint64_t v)
{
	assert_true(notify_write(&w.n, &w.vm, f, v));
}

static int world_setup(void **state)
{
	(void)state;
	memset(&w, 0, sizeof(w));
	fake_cpu_reset();
	fake_cpu.on_exit = set_exit;
	baseline_caps(&w.caps);
	struct pmr_config cfg;
	pmr_config_default(&cfg);
	assert_true(pmr_init(&w.pmr, &cfg));
	baseline_host_state(&w.host);
	w.host.efer = 0xd01;                    /* SCE, LME, LMA, NXE */
	w.host.pat = 0x0007040600070406ull;
	notify_init(&w.n, &w.caps, &w.pmr, vmcs_setup, &w.host);
	w.vm.id = 1;
	w.vm.image = &image;
	w.vm.pc_on = true;
	w.vm.start = (struct vm_start){ .rip = 0x100000, .rsi = 0x7000, .gdt_base = 0x5000, .cs = 0x10, .ds = 0x18,
					.gdt_limit = 31 };
	w.vm.mem_size = 128u << 20;
	w.vm.ept_pa = 0x200000;
	w.vm.vmcs_pa = 0x300000;
	pc_msr_bitmap((uint64_t)(uintptr_t)msr_bitmap);   /* its bits, tested below */
	w.vm.pc.msr_bitmap_pa = 0x400000;       /* the VMCS's: a page below MAXPHYADDR */
	clock = 1000;
	struct devices_host h = { pc_console_line, now, &w.vm, 1193182ull * 100, { 2000, 1, 1, 7, 0, 0, 0 } };
	devices_init(&w.vm.pc.dev, &h);
	shadow_init(&w.vm.shadow);
	trace_set_sink(capture);
	assert_int_equal(exit_with(EXIT_preemption_timer, 0, 0), ACT_YIELD);
	return 0;
}

static int world_teardown(void **state)
{
	(void)state;
	assert_int_equal(fake_cpu.unexpected, 0);
	trace_set_sink(NULL);
	return 0;
}

static void test_set_up_as_a_pc_vm(void **state)
{
	(void)state;
	assert_true(field(VMCS_proc_controls) & PROC_MSR_BITMAPS);
	assert_int_equal(field(VMCS_msr_bitmap), 0x400000);
	assert_int_equal(field(VMCS_entry_controls) & (ENTRY_LOAD_EFER | ENTRY_LOAD_PAT), ENTRY_LOAD_EFER | ENTRY_LOAD_PAT);
	assert_int_equal(field(VMCS_exception_bitmap), 0);
	assert_int_equal(field(VMCS_cr0_mask), CR0_NE | CR0_PG);
	assert_int_equal(field(VMCS_guest_cs_sel), 0x10);
	assert_int_equal(field(VMCS_guest_ds_sel), 0x18);
	assert_int_equal(field(VMCS_guest_gdtr_base), 0x5000);
}

static uint64_t rdmsr_exit(uint32_t index)
{
	w.vm.regs.rcx = index;
	w.vm.regs.rax = w.vm.regs.rdx = 0xdeadbeefdeadbeefull;
	assert_int_equal(exit_with(EXIT_rdmsr, 0, 2), ACT_CONTINUE);
	return (w.vm.regs.rdx << 32) | w.vm.regs.rax;
}

static enum exit_action wrmsr_exit(uint32_t index, uint64_t v)
{
	w.vm.regs.rcx = index;
	w.vm.regs.rax = (uint32_t)v;
	w.vm.regs.rdx = v >> 32;
	return exit_with(EXIT_wrmsr, 0, 2);
}

/* #GP(0) is what the next entry delivers. */
static void assert_gp_injected(void)
{
	assert_int_equal(field(VMCS_entry_intr_info), 0x80000b0d);
	assert_int_equal(field(VMCS_entry_exception_error), 0);
}

static void test_msrs_from_their_homes(void **state)
{
	(void)state;
	set(VMCS_guest_efer, 0x901);
	assert_int_equal(rdmsr_exit(0xc0000080), 0x901);
	assert_int_equal(field(VMCS_guest_rip), 0x2002);
	set(VMCS_guest_pat, 0x0007040600070406ull);
	assert_int_equal(rdmsr_exit(0x277), 0x0007040600070406ull);
	assert_int_equal(rdmsr_exit(0x3a), 1);                      /* locked, VMX off */
	assert_int_equal(w.vm.regs.rdx, 0);
	set(VMCS_guest_sysenter_eip, 0x1234);
	assert_int_equal(rdmsr_exit(0x176), 0x1234);
}

static void test_efer_write_keeps_lma_and_lme_while_paging(void **state)
{
	(void)state;
	set(VMCS_guest_efer, 0x100);                              /* LME */
	set(VMCS_cr0_read_shadow, 0x80000011);                    /* paging on, as the guest sees CR0 */
	assert_int_equal(wrmsr_exit(0xc0000080, 0xd01), ACT_CONTINUE);   /* SCE, NXE; LMA is not the guest's */
	assert_int_equal(field(VMCS_guest_efer), 0x901);
	assert_int_equal(field(VMCS_guest_rip), 0x2002);
	assert_int_equal(wrmsr_exit(0xc0000080, 0x801), ACT_CONTINUE);   /* LME off while paging: #GP */
	assert_gp_injected();
	assert_int_equal(field(VMCS_guest_efer), 0x901);
	assert_int_equal(field(VMCS_guest_rip), 0x2000);          /* not past it */
}

static void test_unknown_msr_and_bad_values_are_gp(void **state)
{
	(void)state;
	w.vm.regs.rcx = 0x1234;
	assert_int_equal(exit_with(EXIT_rdmsr, 0, 2), ACT_CONTINUE);
	assert_gp_injected();
	assert_trace_has("vm=1 ev=msr op=read msr=0x1234 result=gp");
	assert_int_equal(wrmsr_exit(0x277, 0x0007040600070402ull), ACT_CONTINUE);   /* PAT type 2 */
	assert_gp_injected();
	assert_int_equal(wrmsr_exit(0xc0000082, 0x0000800000000000ull), ACT_CONTINUE);  /* LSTAR not canonical */
	assert_gp_injected();
	assert_int_equal(wrmsr_exit(0x10, 5), ACT_CONTINUE);       /* the TSC is read only here */
	assert_gp_injected();
	assert_int_equal(w.vm.pc.n.msr_gp, 4);
}

static void test_switched_msr_kept_for_the_vm(void **state)
{
	(void)state;
	assert_int_equal(wrmsr_exit(0xc0000082, 0xffffffff81000000ull), ACT_CONTINUE);
	assert_int_equal(w.vm.pc.msr.lstar, 0xffffffff81000000ull);
	assert_int_equal(rdmsr_exit(0xc0000082), 0xffffffff81000000ull);
	uint32_t gen = w.vm.pc.msr.gen;
	assert_int_equal(gen, 1);
}

/* The bitmap (SDM Vol. 3C 25.6.9): bit set = exit. */
static bool exits_on(uint32_t msr, bool write)
{
	unsigned base = (msr >= 0xc0000000u ? 1024 : 0) + (write ? 2048 : 0), bit = msr & 0x1fff;
	return (msr_bitmap[base + bit / 8] >> (bit % 8)) & 1;
}

static void test_msr_bitmap_passes_reads_of_switched_and_fs_gs(void **state)
{
	(void)state;
	for (uint32_t m = 0xc0000081; m <= 0xc0000084; m++) {
		assert_false(exits_on(m, false));
		assert_true(exits_on(m, true));
	}
	assert_false(exits_on(0xc0000102, false));
	assert_true(exits_on(0xc0000102, true));
	assert_false(exits_on(0xc0000100, false) || exits_on(0xc0000100, true));
	assert_false(exits_on(0xc0000101, false) || exits_on(0xc0000101, true));
	assert_true(exits_on(0xc0000080, false) && exits_on(0xc0000080, true));
	assert_true(exits_on(0x1a0, false) && exits_on(0x10, true));
}

static void test_cpuid_hides_what_the_guest_must_not_use(void **state)
{
	(void)state;
	struct cpuid_regs r = { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff };
	pc_cpuid(1, 0, &r);
	assert_int_equal(r.ecx & ((1u << 5) | (1u << 21) | (1u << 24) | (1u << 26) | (1u << 3)), 0);
	assert_int_equal(r.ecx & ((1u << 0) | (1u << 31)), (1u << 0) | (1u << 31));
	assert_int_equal(r.edx & ((1u << 9) | (1u << 12)), 0);
	assert_int_equal(r.ebx >> 16, 1);                         /* one logical processor, APIC ID 0 */
	for (uint32_t leaf = 0x15; leaf <= 0x16; leaf++) {
		r = (struct cpuid_regs){ 1, 1, 1, 1 };
		pc_cpuid(leaf, 0, &r);
		assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	}
	r = (struct cpuid_regs){ 1, 1, 1, 1 };
	pc_cpuid(7, 1, &r);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = (struct cpuid_regs){ 0x16, 0x756e6547, 0x6c65746e, 0x49656e69 };
	pc_cpuid(0, 0, &r);
	assert_int_equal(r.eax, 7);
	assert_int_equal(r.ebx, 0x756e6547);
}

/* MOV to CR0 from EAX (qualification: CR0, type 0, register 0). */
static enum exit_action mov_cr0(uint64_t v)
{
	w.vm.regs.rax = v;
	return exit_with(EXIT_cr_access, 0, 3);
}

static void test_paging_on_with_lme_enters_ia32e_mode(void **state)
{
	(void)state;
	set(VMCS_guest_efer, 0x100);                              /* LME */
	set(VMCS_guest_cr4, field(VMCS_guest_cr4) | CR4_PAE);
	assert_int_equal(mov_cr0(0x80000001), ACT_CONTINUE);     /* PG | PE: NE clear */
	assert_true(field(VMCS_entry_controls) & ENTRY_IA32E_GUEST);
	assert_int_equal(field(VMCS_guest_efer), 0x500);
	assert_int_equal(field(VMCS_cr0_read_shadow), 0x80000001);
	assert_int_equal(field(VMCS_guest_cr0) & (CR0_PG | CR0_NE | CR0_PE), CR0_PG | CR0_NE | CR0_PE);
	assert_int_equal(field(VMCS_guest_rip), 0x2003);
}

static void test_bad_cr_writes_are_gp(void **state)
{
	(void)state;
	assert_int_equal(mov_cr0(0x80000000), ACT_CONTINUE);     /* PG without PE */
	assert_gp_injected();
	set(VMCS_guest_efer, 0x100);                              /* LME, but no PAE */
	assert_int_equal(mov_cr0(0x80000001), ACT_CONTINUE);
	assert_gp_injected();
	assert_false(field(VMCS_entry_controls) & ENTRY_IA32E_GUEST);
	w.vm.regs.rbx = CR4_VMXE;                                 /* MOV to CR4 from EBX */
	assert_int_equal(exit_with(EXIT_cr_access, 4 | (3u << 8), 3), ACT_CONTINUE);
	assert_gp_injected();
}

/* OUT of byte v to port p, then IN of size bytes from port p. */
static enum exit_action out_byte(uint16_t p, uint8_t v)
{
	w.vm.regs.rax = v;
	return exit_with(EXIT_io, ((uint64_t)p << 16) | 0, 1);
}

static void test_console_lines_and_wide_in(void **state)
{
	(void)state;
	assert_int_equal(out_byte(0x3f8, 'h'), ACT_CONTINUE);
	assert_int_equal(out_byte(0x3f8, 'i'), ACT_CONTINUE);
	assert_int_equal(out_byte(0x3f8, '\n'), ACT_CONTINUE);
	assert_trace_has("vm=1 ev=out text=\"hi\"");
	w.vm.regs.rax = 0xffffffff00000000ull;                    /* IN EAX from an absent port */
	assert_int_equal(exit_with(EXIT_io, (0x2f8ull << 16) | 8 | 3, 1), ACT_CONTINUE);
	assert_int_equal(w.vm.regs.rax, 0xffffffffull);           /* the upper half cleared */
	assert_int_equal(exit_with(EXIT_io, (0x3f8ull << 16) | 16, 1), ACT_STOP);   /* OUTSB */
	assert_non_null(strstr(w.vm.why, "string I/O"));
}

static void test_i8042_reset_stops_the_vm(void **state)
{
	(void)state;
	assert_int_equal(out_byte(0x64, 0xfe), ACT_STOP);
	assert_string_equal(w.vm.why, "i8042 reset (0xfe to port 0x64)");
}

static void test_panic_line_stops_the_vm(void **state)
{
	(void)state;
	static const char text[] = "Kernel panic - not syncing: x\n";
	enum exit_action a = ACT_CONTINUE;
	for (unsigned i = 0; text[i]; i++)
		a = out_byte(0x3f8, (uint8_t)text[i]);
	assert_int_equal(a, ACT_STOP);
	assert_string_equal(w.vm.why, "Kernel panic - not syncing: x");
}

/* The PIC pair as Linux sets it up (vectors 0x30 and 0x38, IRQ0 only
 * unmasked) and the PIT's channel 0 periodic at 1,000 ticks. */
static void timer_on(void)
{
	static const uint8_t seq[][2] = { { 0x20, 0x11 }, { 0x21, 0x30 }, { 0x21, 0x04 }, { 0x21, 0x01 },
					  { 0xa0, 0x11 }, { 0xa1, 0x38 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
					  { 0x21, 0xfe }, { 0xa1, 0xff }, { 0x43, 0x34 }, { 0x40, 0xe8 }, { 0x40, 0x03 } };
	for (unsigned i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		assert_int_equal(out_byte(seq[i][0], seq[i][1]), ACT_CONTINUE);
}

static void test_timer_interrupt_injected_or_window_opened(void **state)
{
	(void)state;
	timer_on();
	clock += 100 * 1000 + 200;                                /* past the first period (100 TSC ticks a PIT tick) */
	set(VMCS_guest_rflags, 0x2);                              /* IF = 0 */
	assert_int_equal(exit_with(EXIT_preemption_timer, 0, 0), ACT_YIELD);
	assert_int_equal(field(VMCS_entry_intr_info), 0);
	assert_true(field(VMCS_proc_controls) & PROC_INTR_WINDOW);
	set(VMCS_guest_rflags, 0x202);                            /* IF = 1: the window exit */
	assert_int_equal(exit_with(EXIT_interrupt_window, 0, 0), ACT_CONTINUE);
	assert_int_equal(field(VMCS_entry_intr_info), 0x80000030);   /* external interrupt, vector 0x30 */
	assert_false(field(VMCS_proc_controls) & PROC_INTR_WINDOW);
	assert_int_equal(w.vm.pc.n.irqs, 1);
}

static void test_hlt_sleeps_until_the_next_timer_or_ends_the_vm(void **state)
{
	(void)state;
	timer_on();
	set(VMCS_guest_rflags, 0x202);
	set(VMCS_guest_interruptibility, 1);                      /* STI; HLT */
	assert_int_equal(exit_with(EXIT_hlt, 0, 1), ACT_YIELD);
	assert_int_equal(field(VMCS_guest_rip), 0x2001);
	assert_int_equal(field(VMCS_guest_interruptibility), 0);
	assert_int_equal(w.vm.pc.wake_tsc, devices_next_timer(&w.vm.pc.dev));
	assert_true(pc_asleep(&w.vm, w.vm.pc.wake_tsc - 1));
	assert_false(pc_asleep(&w.vm, w.vm.pc.wake_tsc));
	assert_true(field(VMCS_proc_controls) & PROC_INTR_WINDOW);   /* to take it on waking */
	w.vm.pc.wake_tsc = 0;
	set(VMCS_guest_rflags, 0x2);
	assert_int_equal(exit_with(EXIT_hlt, 0, 1), ACT_DONE);
	assert_string_equal(w.vm.why, "hlt");
}

/* A timer armed during a slice brings the slice's end forward to when it
 * is due (the preemption timer counts 2^5 TSC ticks a step here). */
static void test_timer_armed_in_a_slice_ends_it_when_due(void **state)
{
	(void)state;
	set(VMCS_preemption_timer, 1000000);
	timer_on();                                               /* due 1,000 PIT ticks from now */
	uint64_t due = devices_next_timer(&w.vm.pc.dev);
	assert_int_equal(due, clock + 100 * 1000);
	assert_int_equal(exit_with(EXIT_io, 0x80ull << 16, 1), ACT_CONTINUE);
	uint64_t want = (due - clock) >> 5;      /* less the few ticks the fake clock ran on */
	assert_in_range(field(VMCS_preemption_timer), want - 2, want);
	set(VMCS_preemption_timer, 10);                           /* sooner already: left alone */
	assert_int_equal(exit_with(EXIT_io, 0x80ull << 16, 1), ACT_CONTINUE);
	assert_int_equal(field(VMCS_preemption_timer), 10);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, world_setup, world_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_set_up_as_a_pc_vm),
		T(test_msrs_from_their_homes),
		T(test_efer_write_keeps_lma_and_lme_while_paging),
		T(test_unknown_msr_and_bad_values_are_gp),
		T(test_switched_msr_kept_for_the_vm),
		T(test_msr_bitmap_passes_reads_of_switched_and_fs_gs),
		T(test_cpuid_hides_what_the_guest_must_not_use),
		T(test_paging_on_with_lme_enters_ia32e_mode),
		T(test_bad_cr_writes_are_gp),
		T(test_console_lines_and_wide_in),
		T(test_i8042_reset_stops_the_vm),
		T(test_panic_line_stops_the_vm),
		T(test_timer_interrupt_injected_or_window_opened),
		T(test_hlt_sleeps_until_the_next_timer_or_ends_the_vm),
		T(test_timer_armed_in_a_slice_ends_it_when_due),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
