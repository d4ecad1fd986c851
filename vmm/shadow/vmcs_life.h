/* The VMCS life cycle as the VMX instructions themselves enforce it, as a
 * prediction: which VM-instruction error a VMCLEAR, VMPTRLD, VMLAUNCH or
 * VMRESUME will fail with (SDM Vol. 3C 31.3 instruction pseudocode, 31.4
 * error numbers), before the instruction runs. Pure C. */
#ifndef SHADOW_VMCS_LIFE_H
#define SHADOW_VMCS_LIFE_H
#include <stdbool.h>
#include <stdint.h>
#include "vmm/shadow/validate.h"

enum life_error {
	LIFE_VMCLEAR_BAD_ADDR = 2,
	LIFE_VMCLEAR_VMXON = 3,
	LIFE_VMLAUNCH_NOT_CLEAR = 4,
	LIFE_VMRESUME_NOT_LAUNCHED = 5,
	LIFE_ENTRY_MOVSS_BLOCKING = 26,
	LIFE_VMPTRLD_BAD_ADDR = 9,
	LIFE_VMPTRLD_VMXON = 10,
	LIFE_VMPTRLD_BAD_REVISION = 11,
};

struct life_state {
	uint64_t vmxon_pa;       /* the VMXON region */
	unsigned maxphyaddr;
	uint32_t revision;       /* IA32_VMX_BASIC[30:0] */
	bool current_valid;      /* is there a current VMCS? (VMfailValid vs VMfailInvalid) */
};

/* VMfail(N) is VMfailValid with error N when a VMCS is current, else
 * VMfailInvalid (code 0). */
void life_vmclear(const struct life_state *s, uint64_t addr, struct verdict *v);
void life_vmptrld(const struct life_state *s, uint64_t addr, uint32_t first_dword, struct verdict *v);
/* launched: the current VMCS's launch state is "launched"; movss: the
 * instruction comes right after a MOV SS (events blocked by MOV SS), which
 * fails it before the launch state is looked at. */
void life_enter(const struct life_state *s, bool launched, bool vmlaunch, bool movss, struct verdict *v);

/* Where a VMCS is active (SDM Vol. 3C 25.1: the set of active VMCSs is per
 * logical processor): on none, or on one processor. It follows the VMCS,
 * not a processor, so it lives with the VM (struct vm). */
struct vmcs_where {
	bool active;
	unsigned cpu;            /* meaningful when active */
};

/* The section a refusal below cites. */
#define LIFE_SDM_ONE_PROCESSOR "25.11.1"

/* May processor cpu make the VMCS current (VMPTRLD)? Not while it is
 * active on another: it must be VMCLEARed there first, which writes the
 * data that processor holds back to memory (SDM 25.11.1). The instruction
 * itself would not fail, so the shadow refuses before it is issued. False
 * with *other set to the processor that must clear it. */
static inline bool life_may_load(const struct vmcs_where *w, unsigned cpu, unsigned *other)
{
	if (w->active && w->cpu != cpu) {
		*other = w->cpu;
		return false;
	}
	return true;
}

#endif
