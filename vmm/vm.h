/* One virtual machine: its VMCS, memory, EPT, registers, shadow and
 * counters. */
#ifndef VMM_VM_H
#define VMM_VM_H
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/vmx_types.h"
#include "arch/x86/exit_reasons.h"
#include "vmm/shadow/vmcs_shadow.h"
#include "vmm/shadow/validate.h"
#include "vmm/shadow/vmcs_life.h"
#include "vmm/pc/pc_state.h"
#include "vmm/pc/linux_boot.h"

#define VM_MAX 32

enum guest_mode { MODE_PROT32, MODE_REAL16, MODE_LONG64 };

/* A long64 guest starts in 64-bit mode with paging the VMM built (vmm/
 * guests.c) in its top GUEST_TABLES_SIZE bytes: PML4, PDPT and PD, which
 * map its first 2 MiB with one 2 MiB page at linear 0 and again at
 * GUEST_HIGH_ALIAS (PML4 entry 256), so it can run code above 4 GiB. */
#define GUEST_TABLES_SIZE 0x3000u
#define GUEST_HIGH_ALIAS 0xffff800000000000ull
/* Bytes at the top of a guest's memory the VMM uses for itself (a
 * long64 guest's page tables); its stack starts below them. */
static inline uint64_t guest_reserved_top(enum guest_mode mode)
{
	return mode == MODE_LONG64 ? GUEST_TABLES_SIZE : 0;
}
/* Where a long64 guest's PML4 is: its CR3. */
static inline uint64_t guest_tables_gpa(uint64_t mem_size)
{
	return mem_size - GUEST_TABLES_SIZE;
}

/* What a guest is made from: a flat binary linked into the image, copied
 * to 0x1000 (guest/guests.def), or a Linux kernel from the boot files,
 * entered through its boot protocol on the PC platform (vmm/pc/). */
enum guest_kind { GUEST_FLAT, GUEST_LINUX };

struct guest_image {
	const char *name;
	enum guest_mode mode;
	unsigned mem_kb;            /* the default; vms=NAME:SIZE sets another */
	const char *what;
	const uint8_t *start, *end;
	enum guest_kind kind;
};

/* Where and how a VM starts: RIP, RSI, its flat segments' selectors and
 * its GDTR. */
struct vm_start {
	uint64_t rip, rsi, gdt_base;
	uint16_t cs, ds, gdt_limit;
};

/* A flat image's: at 0x1000, code 0x08 and data 0x10, no GDT in memory
 * (VM entry loads the segments from the VMCS). */
static inline struct vm_start vm_start_flat(void)
{
	return (struct vm_start){ .rip = 0x1000, .cs = 0x08, .ds = 0x10, .gdt_limit = 0xffff };
}

enum vm_state { VM_RUNNABLE, VM_DONE, VM_STOPPED };
/* Launch state of the VMCS as the VMM knows it (SDM Vol. 3C 25.1):
 * UNINIT before its first VMCLEAR. */
enum vmcs_launch { VMCS_UNINIT, VMCS_CLEAR, VMCS_LAUNCHED };

struct vm_counters {
	uint64_t entries, launches, resumes, exits, checks_full, checks_dirty;
	uint64_t by_reason[EXIT_REASON_LIMIT];
};

/* What a VM did wrong so far (vmm/exits.c). */
struct vm_misbehaviour {
	uint32_t exceptions[32];     /* intercepted exceptions, by vector */
	uint32_t out_lines;          /* out lines printed */
	uint64_t dropped_lines, dropped_bytes;
};

struct vm {
	unsigned id;
	const struct guest_image *image;
	enum vm_state state;
	enum vmcs_launch launch;
	struct vmcs_where where;    /* the processor its VMCS is active on, if any */
	bool moved;                 /* cleared on another processor for a move: the
	                               next entry is its VMLAUNCH here */
	bool dead;                  /* got its last VMCLEAR: never runs again */
	bool setup_done;            /* the whole VMCS was written since its first VMCLEAR */
	bool test_hypercalls;       /* HC_TEST_VMWRITE answered (testhc=on), else HC_ENOSYS */
	uint64_t vmcs_pa;
	uint64_t mem_pa, mem_size;  /* host memory backing guest-physical 0.. */
	struct vm_start start;
	bool pc_on;                 /* the PC platform: devices, MSRs, interrupts (pc) */
	struct vm_pc pc;
	uint64_t ept_pa;            /* first of the EPT pages */
	unsigned ept_pages;
	struct guest_regs regs;
	struct vmcs_shadow shadow;
	uint64_t pending[SHADOW_WORDS]; /* written while not current */
	struct validate_memos memo;  /* its dirty sets' checks (validate_dirty) */
	struct vm_counters n;
	uint64_t slice_exits;
	uint32_t slices;            /* time slices used (CPU budget, vmm/sched.c) */
	/* Which processor's queue it is in (vmm/migrate.c): only that one
	 * enters it, and only that one changes owner (under the world's lock). */
	unsigned owner;
	uint32_t slices_here;       /* slices since it came to its owner (migrate=every:K) */
	volatile unsigned wanted;   /* 1 + the idle processor that asked for it (balance), or 0 */
	struct vm_misbehaviour misb;
	char why[160];              /* why it stopped */
	char out[120];              /* guest console line being assembled */
	unsigned out_len;
};

struct pagealloc;
struct vmx_caps;

/* What making a VM takes from the hypervisor. */
struct vm_env {
	struct pagealloc *pool;
	const struct vmx_caps *caps;
	bool test_hypercalls;       /* testhc=on */
	const struct linux_files *files;   /* the boot files, for a linux guest (or NULL) */
	uint64_t tsc_hz;            /* the TSC's frequency: a PC VM's timer runs from it */
};

/* A VM of guest image g with mem_kb KiB of memory (0: the image's
 * default), ready for its first entry, without a trace line (the
 * differential mode's probes); NULL, or why it cannot be made. */
const char *vm_build(struct vm *vm, unsigned id, const struct guest_image *g, uint32_t mem_kb,
		     const struct vm_env *e);
/* The same, and its create line. */
const char *vm_create(struct vm *vm, unsigned id, const struct guest_image *g, uint32_t mem_kb,
		      const struct vm_env *e);
/* Its memory, EPT (after INVEPT) and VMCS region back to the pool. */
void vm_release(struct vm *vm, struct pagealloc *pool);

#endif
