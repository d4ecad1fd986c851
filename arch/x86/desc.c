/* GDT, TSS and IDT for the host. */
#include "arch/x86/desc.h"
#include "arch/x86/cpu.h"
#include <string.h>

struct __attribute__((packed)) dtr {
	uint16_t limit;
	uint64_t base;
};

struct __attribute__((packed)) tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
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
static uint8_t fault_stack[8192] __attribute__((aligned(16)));
extern uint64_t isr_table[32];

void (*exception_report)(const struct exception_frame *f, uint64_t cr2);

static void gdt_load(void)
{
	struct dtr d = { sizeof(gdt) - 1, (uint64_t)gdt };
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

void desc_init(void)
{
	uint64_t t = (uint64_t)&tss;
	memset(&tss, 0, sizeof(tss));
	tss.ist[0] = (uint64_t)fault_stack + sizeof(fault_stack);
	tss.iomap_base = sizeof(tss);
	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffull;                 /* 64-bit code */
	gdt[2] = 0x00cf92000000ffffull;                 /* data */
	gdt[3] = (sizeof(tss) - 1) | ((t & 0xffffff) << 16) |
		 (0x89ull << 40) | ((t >> 24) & 0xff) << 56;  /* available TSS */
	gdt[4] = t >> 32;
	gdt_load();

	for (int v = 0; v < 32; v++) {
		uint64_t h = isr_table[v];
		idt[v] = (struct idt_gate){ (uint16_t)h, SEL_CODE, 1, 0x8e,
					    (uint16_t)(h >> 16), (uint32_t)(h >> 32), 0 };
	}
	struct dtr i = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" ::"m"(i));
	/* Mask every legacy PIC line: with external-interrupt exiting on, a
	 * pending IRQ would otherwise end every guest time slice at once. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

void desc_bases(struct desc_bases *b)
{
	b->gdt = (uint64_t)gdt;
	b->idt = (uint64_t)idt;
	b->tss = (uint64_t)&tss;
}

void exception_handler(struct exception_frame *f)
{
	if (exception_report)
		exception_report(f, read_cr2());
	cpu_halt_forever();
}
