/* Thin wrappers around privileged x86 instructions. The only place, with
 * the other arch/x86 files, where inline asm lives (STYLE.md rule 2). */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H
#include <stdint.h>

#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_VMX_BASIC       0x480
#define MSR_IA32_VMX_PINBASED    0x481
#define MSR_IA32_VMX_PROCBASED   0x482
#define MSR_IA32_VMX_EXIT        0x483
#define MSR_IA32_VMX_ENTRY       0x484
#define MSR_IA32_VMX_MISC        0x485
#define MSR_IA32_VMX_CR0_FIXED0  0x486
#define MSR_IA32_VMX_CR0_FIXED1  0x487
#define MSR_IA32_VMX_CR4_FIXED0  0x488
#define MSR_IA32_VMX_CR4_FIXED1  0x489
#define MSR_IA32_VMX_PROCBASED2  0x48b
#define MSR_IA32_VMX_EPT_VPID    0x48c
#define MSR_IA32_VMX_TRUE_PIN    0x48d
#define MSR_IA32_VMX_TRUE_PROC   0x48e
#define MSR_IA32_VMX_TRUE_EXIT   0x48f
#define MSR_IA32_VMX_TRUE_ENTRY  0x490
#define MSR_IA32_VMX_VMFUNC      0x491
#define MSR_IA32_PAT             0x277
#define MSR_IA32_EFER            0xc0000080
#define MSR_FS_BASE              0xc0000100
#define MSR_GS_BASE              0xc0000101

struct cpuid_regs { uint32_t eax, ebx, ecx, edx; };

static inline void cpuid(uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
	__asm__ volatile("cpuid"
			 : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
			 : "a"(leaf), "c"(sub));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

#define CR_ACCESSORS(n)                                                    \
	static inline uint64_t read_cr##n(void)                            \
	{                                                                  \
		uint64_t v;                                                \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                                  \
	}                                                                  \
	static inline void write_cr##n(uint64_t v)                         \
	{                                                                  \
		__asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory");   \
	}
CR_ACCESSORS(0)
CR_ACCESSORS(2)
CR_ACCESSORS(3)
CR_ACCESSORS(4)
#undef CR_ACCESSORS

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* A spin-wait's body: PAUSE (SDM Vol. 2B), a hint that this is a wait. */
static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

#endif
