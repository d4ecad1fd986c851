/* GDT, TSS and IDT for the host. */
#include "arch/x86/desc.h"
#include "arch/x86/cpu.h"
#include <string.h>

struct __attribute__((packed)) dtr {
	uint16_t limit;
	uint64_t base;
};

struct __attribute__((packed)) idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
};

static uint64_t gdt[5] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static struct idt_gate idt[32] __attribute__((aligned(16)));
static struct idt_gate ap_idt[32] __attribute__((aligned(16)));
static uint8_t fault_stack[8192] __attribute__((aligned(16)));
extern uint64_t isr_table[32];
extern char nmi_wake[];
#define VEC_NMI 2

void (*exception_report)(const struct exception_frame *f, uint64_t cr2);

static void gdt_load(uint64_t *g)
{
	struct dtr d = { 5 * sizeof(uint64_t) - 1, (uint64_t)g };
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %2, %%ds\n\t"
			 "mov %2, %%es\n\t"
			 "mov %2, %%ss\n\t"
			 "mov %2, %%fs\n\t"
			 "mov %2, %%gs\n\t"
			 "ltr %w3"
			 :
			 : "m"(d), "i"(SEL_CODE), "r"(SEL_DATA), "r"(SEL_TSS)
			 : "rax", "memory");
}

static void gdt_build(uint64_t *g, struct tss64 *ts, uint64_t ist_top)
{
	uint64_t t = (uint64_t)ts;
	memset(ts, 0, sizeof(*ts));
	ts->ist[0] = ist_top;
	ts->iomap_base = sizeof(*ts);
	g[0] = 0;
	g[1] = 0x00af9a000000ffffull;                   /* 64-bit code */
	g[2] = 0x00cf92000000ffffull;                   /* data */
	g[3] = (sizeof(*ts) - 1) | ((t & 0xffffff) << 16) |
	       (0x89ull << 40) | ((t >> 24) & 0xff) << 56;  /* available TSS */
	g[4] = t >> 32;
	gdt_load(g);
}

static struct idt_gate gate(uint64_t h)
{
	return (struct idt_gate){ (uint16_t)h, SEL_CODE, 1, 0x8e, (uint16_t)(h >> 16), (uint32_t)(h >> 32), 0 };
}

static void idt_load(struct idt_gate *t)
{
	struct dtr i = { 32 * sizeof(struct idt_gate) - 1, (uint64_t)t };
	__asm__ volatile("lidt %0" ::"m"(i));
}

void desc_init_ap(struct desc_cpu *d)
{
	gdt_build(d->gdt, &d->tss, (uint64_t)d->fault_stack + sizeof(d->fault_stack));
	idt_load(ap_idt);
}

void desc_init(void)
{
	gdt_build(gdt, &tss, (uint64_t)fault_stack + sizeof(fault_stack));
	for (int v = 0; v < 32; v++) {
		idt[v] = gate(isr_table[v]);
		ap_idt[v] = v == VEC_NMI ? gate((uint64_t)nmi_wake) : idt[v];
	}
	idt_load(idt);
	/* Mask every legacy PIC line: with external-interrupt exiting on, a
	 * pending IRQ would otherwise end every guest time slice at once. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

/* The running CPU's own tables, as its GDTR, IDTR and TSS descriptor say
 * (each application processor has its GDT, TSS and IDT: desc_init_ap). The
 * TSS base is spread over the 16-byte system descriptor at SEL_TSS (SDM
 * Vol. 3A 8.2.3): bits 23:0 in bytes 2-4, 31:24 in byte 7, 63:32 in the
 * next quadword's low half. */
void desc_bases(struct desc_bases *b)
{
	struct dtr g, i;
	__asm__ volatile("sgdt %0" : "=m"(g));
	__asm__ volatile("sidt %0" : "=m"(i));
	b->gdt = g.base;
	b->idt = i.base;
	const uint64_t *d = (const uint64_t *)(g.base + SEL_TSS);
	b->tss = ((d[0] >> 16) & 0xffffff) | (((d[0] >> 56) & 0xff) << 24) | ((d[1] & 0xffffffff) << 32);
}

void exception_handler(struct exception_frame *f)
{
	if (exception_report)
		exception_report(f, read_cr2());
	cpu_halt_forever();
}
