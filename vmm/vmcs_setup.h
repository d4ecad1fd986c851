/* The whole VMCS of one VM, written field by field in SDM order. */
#ifndef VMM_VMCS_SETUP_H
#define VMM_VMCS_SETUP_H
#include <stdbool.h>
#include <stdint.h>
#include "vmm/notify.h"

/* The host state every VMCS gets, read once from the CPU by arch/x86. */
struct host_state {
	uint64_t cr0, cr3, cr4;
	uint64_t gdt_base, idt_base, tr_base, fs_base, gs_base;
	uint16_t cs, ds, tr;
	uint64_t efer, pat;        /* loaded at the exits of a PC VM (vmm/pc/) */
	uint64_t rip, rsp;        /* exit stub and exit stack */
	bool ptimer, save_ptimer; /* VMX-preemption timer usable / savable */
	uint32_t quantum;         /* preemption timer value per time slice */
};

/* vmcs_setup_fn for notify: n->setup_ctx points to a struct host_state. */
bool vmcs_setup(struct notify *n, struct vm *vm);
/* vmcs_setup_fn for a move (notify_smp.host_percpu): the host-state
 * fields that differ per logical processor, from n->setup_ctx (that
 * processor's struct host_state): FS, GS, TR, GDTR and IDTR bases and the
 * exit stack. Unchanged values cost no VMWRITE (notify_write). */
bool vmcs_setup_host_percpu(struct notify *n, struct vm *vm);
/* EPTP for a 4-level write-back EPT rooted at pml4_pa (SDM 25.6.11). */
uint64_t vmcs_eptp(uint64_t pml4_pa);

#endif
