/* One virtual machine: its VMCS, memory, EPT, registers, shadow and
 * counters. */
#ifndef VMM_VM_H
#define VMM_VM_H
#include <stdbool.h>
#include <stdint.h>
#include "vmx_types.h"
#include "exit_reasons.h"
#include "shadow/vmcs_shadow.h"

#define VM_MAX 32

enum guest_mode { MODE_PROT32, MODE_REAL16 };

struct guest_image {
	const char *name;
	enum guest_mode mode;
	unsigned mem_kb;
	const char *what;
	const uint8_t *start, *end;
};

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
	bool dead;                  /* got its last VMCLEAR: never runs again */
	bool setup_done;            /* the whole VMCS was written since its first VMCLEAR */
	uint64_t vmcs_pa;
	uint64_t mem_pa, mem_size;  /* host memory backing guest-physical 0.. */
	uint64_t ept_pa;            /* first of the EPT pages */
	unsigned ept_pages;
	struct guest_regs regs;
	struct vmcs_shadow shadow;
	uint64_t pending[SHADOW_WORDS]; /* written while not current */
	struct vm_counters n;
	uint64_t slice_exits;
	uint32_t slices;            /* time slices used (CPU budget, vmm/sched.c) */
	struct vm_misbehaviour misb;
	char why[160];              /* why it stopped */
	char out[120];              /* guest console line being assembled */
	unsigned out_len;
};

#endif
