/* One struct percpu per processor the hypervisor runs on, found through the
 * GS base: each CPU's IA32_GS_BASE holds its own struct's address, whose
 * first field points at itself, so cpu_this() is one load through GS (no
 * CPUID, no APIC read). The VMCS host-state area restores GS base on every
 * VM exit (SDM Vol. 3C 28.5.2), so the boot CPU keeps its value there too. */
#ifndef ARCH_X86_PERCPU_H
#define ARCH_X86_PERCPU_H
#include <stddef.h>
#include <stdint.h>
#include "arch/x86/vmx_caps.h"

#define SMP_MAX_CPUS 8             /* the boot CPU and up to 7 others */

/* Where a processor stands; one word, written by whichever CPU moves it. */
enum cpu_state {
	CPU_ABSENT,                 /* not started */
	CPU_STARTING,               /* INIT-SIPI-SIPI sent */
	CPU_PARKED,                 /* running ap_main's mailbox loop */
	CPU_VMX_ON,                 /* in VMX root operation, parked */
	CPU_REFUSED,                /* its VMX capabilities differ: parked outside VMX */
	CPU_FAILED,                 /* VMXON failed: parked outside VMX */
	CPU_VMX_OFF,                /* left VMX operation at the end */
};

struct percpu;
typedef void (*smp_fn)(struct percpu *self, void *arg);

struct percpu {
	struct percpu *self;        /* at offset 0: what %gs:0 reads */
	unsigned index;             /* 0 for the boot CPU, then the order started */
	uint32_t apic_id;
	volatile uint32_t state;    /* enum cpu_state */
	struct vmx_caps caps;       /* as this CPU reads them */
	uint64_t vmxon_pa;          /* its VMXON region */
	uint64_t exit_stack_top;    /* its own host stack for VM exits (HOST_RSP of a
	                               VMCS run there); no VM runs there yet */
	/* The mailbox: the boot CPU writes fn and arg, then bumps posted; the
	 * CPU runs fn(self, arg) and copies posted to done. */
	smp_fn volatile fn;
	void *volatile arg;
	volatile uint32_t posted, done;
};

static inline struct percpu *percpu_this(void)
{
	struct percpu *p;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

static inline unsigned cpu_this(void)
{
	unsigned i;
	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(i) : "i"(offsetof(struct percpu, index)));
	return i;
}

#endif
