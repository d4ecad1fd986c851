/* Host GDT (with a 64-bit TSS) and IDT. The VMCS host-state area needs
 * non-zero CS and TR selectors (SDM Vol. 3C 27.2.3), so the host always runs
 * on these tables, whichever firmware started it. */
#ifndef ARCH_X86_DESC_H
#define ARCH_X86_DESC_H
#include <stdint.h>

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS  0x18

struct desc_bases {
	uint64_t gdt, idt, tss;
};

struct __attribute__((packed)) tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
};

/* Another processor's own GDT and TSS: a TSS descriptor is marked busy
 * by LTR and the IST stack must be its own, so they are not shared. */
struct desc_cpu {
	uint64_t gdt[5] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));
	uint8_t fault_stack[4096] __attribute__((aligned(16)));
};

/* The boot CPU's tables; then the IDT every CPU shares. */
void desc_init(void);
/* Load an application processor's tables. Its IDT is the boot CPU's with
 * the NMI gate returning at once (nmi_wake): an NMI is its doorbell. */
void desc_init_ap(struct desc_cpu *d);
void desc_bases(struct desc_bases *b);

/* Called by the exception stubs in isr.asm. */
struct exception_frame {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};
void exception_handler(struct exception_frame *f);
/* Where a host exception is reported: set by hv_main. */
extern void (*exception_report)(const struct exception_frame *f, uint64_t cr2);

#endif
