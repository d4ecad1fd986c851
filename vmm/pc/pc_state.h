/* What a VM on the PC platform holds beyond a tiny guest's: its devices,
 * the MSRs the hypervisor keeps for it, its halt and its interrupt
 * window. Data only (vmm/pc/pc.h has what acts on it). */
#ifndef VMM_PC_PC_STATE_H
#define VMM_PC_PC_STATE_H
#include <stdbool.h>
#include <stdint.h>
#include "vmm/devices/devices.h"
#include "vmm/pc/linux_boot.h"

/* The MSRs a 64-bit kernel sets for SYSCALL and SWAPGS that no VMCS field
 * switches: the guest's values are loaded into the processor it runs on
 * (vmm/pc/pc_msr.c), the host never uses them. One row each. */
#define PC_MSRS_SWITCHED(X)              \
	X(star,           0xc0000081u)   \
	X(lstar,          0xc0000082u)   \
	X(cstar,          0xc0000083u)   \
	X(sfmask,         0xc0000084u)   \
	X(kernel_gs_base, 0xc0000102u)

struct pc_msrs {
#define PC_MSR_FIELD(name, index) uint64_t name;
	PC_MSRS_SWITCHED(PC_MSR_FIELD)
#undef PC_MSR_FIELD
	uint64_t mtrr_def_type;
	uint32_t gen;                   /* counts the writes of the switched ones */
};

struct pc_counters {
	uint64_t irqs, halts, windows, msr_gp, msr_reads, msr_writes, cr_writes;
};

struct vm_pc {
	struct vm_devices dev;
	struct pc_msrs msr;
	struct pc_counters n;
	uint64_t wake_tsc;              /* halted with IF = 1 until this TSC; 0: not halted */
	bool window;                    /* interrupt-window exiting is on */
	bool panicked;                  /* its console printed a kernel panic */
	uint64_t msr_bitmap_pa;         /* its MSR bitmap page */
	struct linux_entry boot;        /* how its kernel was laid out */
	uint64_t kernel_len, initrd_len;
};

#endif
