/* Start-up of the application processors (SDM Vol. 3A 9.4.4.1: INIT, a
 * wait, then start-up IPIs) and their mailbox loop. */
#include "arch/x86/smp.h"
#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/lapic.h"
#include "arch/x86/vmx_controls.h"
#include <stddef.h>
#include <string.h>

#define SEL_CODE32 0x08            /* ap_boot.asm's GDT: 32-bit code, data, */
#define SEL_CODE64 0x18            /* 64-bit code at 0x18 */
#define EFER_KEEP  ((1ull << 0) | (1ull << 8) | (1ull << 11))  /* SCE, LME, NXE */
#define PTE_P_RW   3ull
#define PDE_2M     0x83ull         /* present, writable, 2 MiB page */
/* Bounded waits counted in PAUSEs, not timed (no TSC or PIT is needed):
 * they stand for the SDM's 10 ms after INIT and 200 us after a SIPI. A
 * processor slower to start than that is still caught by the wait for its
 * park, or by the second SIPI. */
#define INIT_SPINS   100000u
#define SIPI_SPINS   20000u
#define PARK_SPINS   50000000u     /* until the started CPU parks */
#define WAIT_SPINS   200000000u    /* until a parked CPU has run its work */
#define RING_EVERY   100000u       /* NMI again: it may have come before HLT */

struct __attribute__((packed)) ap_tramp_params {
	uint64_t gdt[4];
	uint16_t gdt_limit;
	uint32_t gdt_base;
	uint16_t pad0;
	uint32_t pm_off;
	uint16_t pm_sel, pad1;
	uint32_t lm_off;
	uint16_t lm_sel, pad2;
	uint64_t cr3_boot, efer, cr3, stack, percpu;
	volatile uint64_t alive;
};
_Static_assert(offsetof(struct ap_tramp_params, gdt_limit) == 32, "ap_boot.asm P_GDTR");
_Static_assert(offsetof(struct ap_tramp_params, pm_off) == 40, "ap_boot.asm P_PM");
_Static_assert(offsetof(struct ap_tramp_params, lm_off) == 48, "ap_boot.asm P_LM");
_Static_assert(offsetof(struct ap_tramp_params, cr3_boot) == 56, "ap_boot.asm P_CR3_BOOT");
_Static_assert(offsetof(struct ap_tramp_params, alive) == 96, "ap_boot.asm P_ALIVE");

extern char ap_tramp_start[], ap_tramp_end[], ap_tramp_params[], ap_tramp_pm[], ap_entry64[];

static struct percpu cpus[SMP_MAX_CPUS];
static struct desc_cpu descs[SMP_MAX_CPUS];
static struct ap_tramp_params *params;
static uint64_t tramp_page;
static uint64_t boot_cr0, boot_cr4;

/* Entered from ap_entry64 only: kept through link-time optimisation. */
void ap_main(struct percpu *c) __attribute__((noreturn, used));

void smp_init_bsp(void)
{
	cpus[0].self = &cpus[0];
	cpus[0].state = CPU_PARKED;
	if (!lapic_init())
		cpus[0].apic_id = lapic_id();
	wrmsr(MSR_GS_BASE, (uint64_t)&cpus[0]);
}

struct percpu *smp_cpu(unsigned index)
{
	return index < SMP_MAX_CPUS ? &cpus[index] : NULL;
}

static void identity_map_4g(uint64_t pt)
{
	uint64_t *pml4 = (uint64_t *)pt, *pdpt = pml4 + 512, *pd = pdpt + 512;
	memset(pml4, 0, SMP_PT_PAGES * 4096);
	pml4[0] = (uint64_t)pdpt | PTE_P_RW;
	for (unsigned i = 0; i < 4; i++)
		pdpt[i] = (uint64_t)(pd + 512 * i) | PTE_P_RW;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | PDE_2M;
}

const char *smp_prepare(uint64_t page_pa, uint64_t pt_pa)
{
	uint64_t entry = (uint64_t)ap_entry64;
	const char *err = lapic_init();
	if (err)
		return err;
	cpus[0].apic_id = lapic_id();
	if (!page_pa || page_pa & 0xfff || page_pa >= 0x100000)
		return "no 4 KiB page below 1 MiB was reserved for the start-up code";
	if (!pt_pa || pt_pa + SMP_PT_PAGES * 4096 > (1ull << 32) || entry >= (1ull << 32))
		return "the start-up page tables or ap_entry64 lie above 4 GiB";
	identity_map_4g(pt_pa);
	memcpy((void *)page_pa, ap_tramp_start, (size_t)(ap_tramp_end - ap_tramp_start));
	tramp_page = page_pa;
	params = (struct ap_tramp_params *)(page_pa + (uint64_t)(ap_tramp_params - ap_tramp_start));
	params->gdt[0] = 0;
	params->gdt[1] = 0x00cf9a000000ffffull;         /* 32-bit code */
	params->gdt[2] = 0x00cf92000000ffffull;         /* data */
	params->gdt[3] = 0x00af9a000000ffffull;         /* 64-bit code */
	params->gdt_limit = sizeof(params->gdt) - 1;
	params->gdt_base = (uint32_t)(uint64_t)params;
	params->pm_off = (uint32_t)(page_pa + (uint64_t)(ap_tramp_pm - ap_tramp_start));
	params->pm_sel = SEL_CODE32;
	params->lm_off = (uint32_t)entry;
	params->lm_sel = SEL_CODE64;
	params->cr3_boot = pt_pa;
	params->efer = rdmsr(MSR_IA32_EFER) & EFER_KEEP;
	boot_cr0 = read_cr0();
	boot_cr4 = read_cr4() & ~CR4_VMXE;
	return NULL;
}

static bool spin_until(volatile uint32_t *word, uint32_t want, uint32_t spins)
{
	while (spins--) {
		if (*word == want)
			return true;
		__asm__ volatile("pause" ::: "memory");
	}
	return false;
}

const char *smp_start(unsigned index, uint32_t apic_id, uint64_t stack_top)
{
	struct percpu *c = &cpus[index];
	if (!params || index == 0 || index >= SMP_MAX_CPUS)
		return "start-up not prepared";
	memset(c, 0, sizeof(*c));
	c->self = c;
	c->index = index;
	c->apic_id = apic_id;
	c->state = CPU_STARTING;
	params->cr3 = read_cr3();
	params->stack = stack_top;
	params->percpu = (uint64_t)c;
	params->alive = 0;
	if (!lapic_send_init(apic_id))
		return "INIT IPI not delivered";
	lapic_spin(INIT_SPINS);
	/* The SDM's sequence sends two SIPIs (Vol. 3A 9.4.4.1); the second
	 * only matters when the first was lost, so it is sent only when the
	 * trampoline has not run its first instruction. */
	for (int k = 0; k < 2 && !params->alive; k++) {
		if (!lapic_send_sipi(apic_id, (uint8_t)(tramp_page >> 12)))
			return "start-up IPI not delivered";
		lapic_spin(SIPI_SPINS);
	}
	if (!spin_until(&c->state, CPU_PARKED, PARK_SPINS))
		return params->alive ? "started but never reached ap_main" : "did not answer the start-up IPIs";
	return NULL;
}

void smp_reset(uint32_t apic_id)
{
	if (params)
		lapic_send_init(apic_id);
}

void smp_call(unsigned index, smp_fn fn, void *arg)
{
	struct percpu *c = &cpus[index];
	c->fn = fn;
	c->arg = arg;
	if (index == 0) {
		fn(c, arg);
		c->done = ++c->posted;
		return;
	}
	__atomic_store_n(&c->posted, c->posted + 1, __ATOMIC_RELEASE);
	lapic_send_nmi(c->apic_id);
}

bool smp_done(unsigned index)
{
	struct percpu *c = &cpus[index];
	return __atomic_load_n(&c->done, __ATOMIC_ACQUIRE) == c->posted;
}

bool smp_wait(unsigned index)
{
	struct percpu *c = &cpus[index];
	for (uint32_t n = 1; n <= WAIT_SPINS; n++) {
		if (__atomic_load_n(&c->done, __ATOMIC_ACQUIRE) == c->posted)
			return true;
		if (n % RING_EVERY == 0)
			lapic_send_nmi(c->apic_id);
		__asm__ volatile("pause" ::: "memory");
	}
	return false;
}

/* An application processor from ap_entry64 on: its own tables, GS base,
 * the boot CPU's CR0 and CR4 (INIT left caching off, CR0.CD/NW), then
 * the mailbox. It waits in HLT with interrupts off: only the NMI doorbell
 * (or INIT) wakes it (SDM Vol. 2A, HLT). */
void ap_main(struct percpu *c)
{
	desc_init_ap(&descs[c->index]);
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	write_cr0(boot_cr0);
	write_cr4(boot_cr4);
	__atomic_store_n(&c->state, CPU_PARKED, __ATOMIC_RELEASE);
	for (;;) {
		uint32_t seq;
		while ((seq = __atomic_load_n(&c->posted, __ATOMIC_ACQUIRE)) == c->done)
			__asm__ volatile("cli; hlt" ::: "memory");
		c->fn(c, c->arg);
		__atomic_store_n(&c->done, seq, __ATOMIC_RELEASE);
	}
}
