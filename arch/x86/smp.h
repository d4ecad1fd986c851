/* The other processors: started through the trampoline (ap_boot.asm),
 * parked in HLT in a mailbox loop, woken by an NMI to run work the boot
 * CPU posts. The boot CPU drives everything; an application processor
 * only runs what it is given, one item at a time. */
#ifndef ARCH_X86_SMP_H
#define ARCH_X86_SMP_H
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/percpu.h"

#define SMP_PT_PAGES 6             /* the trampoline's identity map of 4 GiB */

/* CPU 0: its struct percpu and GS base. First thing on the boot CPU. */
void smp_init_bsp(void);
/* Ready the start-up: the local APIC, the trampoline copied to page_pa
 * (4 KiB, below 1 MiB), SMP_PT_PAGES pages at pt_pa (below 4 GiB) made an
 * identity map. NULL, or why no other CPU can be started. */
const char *smp_prepare(uint64_t page_pa, uint64_t pt_pa);
/* INIT-SIPI-SIPI to apic_id; it becomes CPU index with its stack ending
 * at stack_top. Returns once it is parked: NULL, or why it is not. */
const char *smp_start(unsigned index, uint32_t apic_id, uint64_t stack_top);
/* INIT alone: a processor that is not used waits for a SIPI, halted,
 * whatever loop the firmware left it in. */
void smp_reset(uint32_t apic_id);
struct percpu *smp_cpu(unsigned index);
/* Post fn(cpu's percpu, arg) to a parked CPU (CPU 0 runs it at once);
 * smp_wait: true once it has run, false when the CPU did not answer. */
void smp_call(unsigned index, smp_fn fn, void *arg);
bool smp_wait(unsigned index);
/* Has the CPU run the last work posted to it? Asks once, sends nothing:
 * for waiting on work that runs long (the CPU's VMs), where smp_wait's
 * NMI doorbell would reach a guest's VM exit instead of a halted CPU. */
bool smp_done(unsigned index);

#endif
