/* A per-VM software copy of VMCS field values.
 *
 * Every VMWRITE the VMM issues goes through shadow_write(): the value is
 * kept, marked known, and marked dirty (written since the last successful
 * VM entry). A VMREAD of a known field is served from here. At a VM exit the
 * processor rewrites the guest-state and exit-information fields, so those
 * become unknown until read once from the CPU (shadow_fill). Pure C. */
#ifndef SHADOW_VMCS_SHADOW_H
#define SHADOW_VMCS_SHADOW_H
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/vmcs_fields.h"

#define SHADOW_WORDS ((VMCS_FIELD_COUNT + 63) / 64)

struct vmcs_shadow {
	uint64_t val[VMCS_FIELD_COUNT];
	uint64_t known[SHADOW_WORDS];
	uint64_t dirty[SHADOW_WORDS];
	/* From a VM exit proper (not an entry failure) to the next return of
	 * VMLAUNCH/VMRESUME: the CPU's guest RIP is the one that exit saved
	 * (a VMWRITE of RIP would make it known, and only an unknown field is
	 * filled). 1 or 0. */
	uint64_t rip_saved_by_exit;
	/* That saved RIP once filled, else 0: at or above 4 GiB, the guest
	 * was in 64-bit mode at the exit (see shadow_fill). */
	uint64_t exit_rip;
};

static inline bool shadow_bit(const uint64_t *bm, enum vmcs_field f)
{
	return (bm[f / 64] >> (f % 64)) & 1;
}

static inline void shadow_bit_set(uint64_t *bm, enum vmcs_field f)
{
	bm[f / 64] |= 1ull << (f % 64);
}

void shadow_init(struct vmcs_shadow *s);
/* Record a VMWRITE: value (masked to the field's width), known, dirty. */
static inline void shadow_write(struct vmcs_shadow *s, enum vmcs_field f, uint64_t v)
{
	s->val[f] = v & vmcs_field_mask(f);
	shadow_bit_set(s->known, f);
	shadow_bit_set(s->dirty, f);
}
/* Record a value read from the CPU: known, not dirty. A guest RIP a VM
 * exit saved tells the guest's mode at the exit when it is at or above
 * 4 GiB: outside 64-bit mode the instruction pointer is EIP, 32 bits (SDM
 * Vol. 1 3.5; every transfer into compatibility or legacy mode loads a
 * 32-bit EIP: the JMP/CALL/RET/IRET far forms, SYSRET's and SYSEXIT's
 * 32-bit forms), while the exit saves the whole natural-width field
 * whatever the mode (Vol. 3C 28.3). So the exit saved CS with L = 1 and,
 * where IA32_VMX_MISC bit 5 is set, IA32_EFER.LMA = 1 into the "IA-32e
 * mode guest" control; the row guest.rip.high uses that instead of reading
 * the two fields (entry_checks_state.c). */
static inline void shadow_fill(struct vmcs_shadow *s, enum vmcs_field f, uint64_t v)
{
	s->val[f] = v & vmcs_field_mask(f);
	shadow_bit_set(s->known, f);
	if (f == VMCS_guest_rip && s->rip_saved_by_exit)
		s->exit_rip = v;
}
/* The guest was in 64-bit mode at the last VM exit, by the RIP it saved. */
static inline bool shadow_exit_long_mode(const struct vmcs_shadow *s)
{
	return (s->exit_rip >> 32) != 0;
}
static inline bool shadow_known(const struct vmcs_shadow *s, enum vmcs_field f)
{
	return shadow_bit(s->known, f);
}
static inline bool shadow_dirty(const struct vmcs_shadow *s, enum vmcs_field f)
{
	return shadow_bit(s->dirty, f);
}
static inline uint64_t shadow_get(const struct vmcs_shadow *s, enum vmcs_field f)
{
	return s->val[f];
}
/* What a VM exit makes unknown, one bitmap word at a time, as constants:
 * the guest-state and read-only fields (kind GUEST or RO in the .def),
 * and the entry controls: a VM exit stores IA32_EFER.LMA into the
 * "IA-32e mode guest" VM-entry control on processors that set
 * IA32_VMX_MISC bit 5 (SDM Vol. 3C 28.2, Vol. 3D A.6; Bochs 2.7 does, in
 * VMexitSaveGuestState), so a guest that turns paging on or off without
 * an exit changes that control. The shadow forgets the whole field. */
#define SHADOW_CPU_OWNED_BIT(name, kind, w) \
	| (((kind) == GUEST || (kind) == RO) && VMCS_##name / 64 == (w) ? 1ull << (VMCS_##name % 64) : 0)
#define SHADOW_LMA_BIT(w) \
	(VMCS_entry_controls / 64 == (w) ? 1ull << (VMCS_entry_controls % 64) : 0)
#define X(name, enc, width, kind, group) SHADOW_CPU_OWNED_BIT(name, kind, 0)
static const uint64_t shadow_exit_forgets0 = SHADOW_LMA_BIT(0)
#include "arch/x86/vmcs_fields.def"
	;
#undef X
#define X(name, enc, width, kind, group) SHADOW_CPU_OWNED_BIT(name, kind, 1)
static const uint64_t shadow_exit_forgets1 = SHADOW_LMA_BIT(1)
#include "arch/x86/vmcs_fields.def"
	;
#undef X
_Static_assert(SHADOW_WORDS == 2, "shadow_exit_forgets0/1 cover two bitmap words: at most 128 fields");

/* After VMLAUNCH/VMRESUME returned to the host, a VM exit or a VM-entry
 * failure: guest-state and read-only fields are the CPU's again, and so
 * is the "IA-32e mode guest" control. (An entry failure leaves the
 * guest-state area as it was, SDM Vol. 3C 27.8; forgetting it is only
 * cautious.) */
static inline void shadow_on_exit(struct vmcs_shadow *s)
{
	s->known[0] &= ~shadow_exit_forgets0;
	s->known[1] &= ~shadow_exit_forgets1;
	s->rip_saved_by_exit = 0;
	s->exit_rip = 0;
}
/* A VM exit proper (not an entry failure) also clears the valid bit of
 * the VM-entry interruption-information field (SDM Vol. 3C 28.2): the VMM
 * knows the new value. An entry failure leaves it set (27.8). And it
 * saves guest RIP; an entry failure leaves the VMM's (27.8). */
static inline void shadow_on_exit_proper(struct vmcs_shadow *s)
{
	s->val[VMCS_entry_intr_info] &= ~(1ull << 31);
	s->rip_saved_by_exit = 1;
}
/* After a successful VM entry: nothing is dirty any more. */
static inline void shadow_on_entry_ok(struct vmcs_shadow *s)
{
	for (int w = 0; w < SHADOW_WORDS; w++)
		s->dirty[w] = 0;
}
unsigned shadow_dirty_count(const struct vmcs_shadow *s);

/* The shadow's part of the fast path's replay (vmm/fastpath/): only guest
 * RIP is dirty, and the next exit, with its VMREADs of the reason, RIP
 * and the length, leaves the known bits as they are. */
static inline bool shadow_replay_steady(const struct vmcs_shadow *s)
{
	const uint64_t forgets[SHADOW_WORDS] = { shadow_exit_forgets0, shadow_exit_forgets1 };
	uint64_t rip[SHADOW_WORDS] = { 0 }, reread[SHADOW_WORDS] = { 0 };
	shadow_bit_set(rip, VMCS_guest_rip);
	shadow_bit_set(reread, VMCS_guest_rip);
	shadow_bit_set(reread, VMCS_exit_reason);
	shadow_bit_set(reread, VMCS_exit_instr_len);
	for (int w = 0; w < SHADOW_WORDS; w++)
		if (s->dirty[w] != rip[w] || ((s->known[w] & ~forgets[w]) | reread[w]) != s->known[w])
			return false;
	return true;
}

/* One replayed round trip in that steady state: the RIP the exit saved
 * (as shadow_fill would note it), the new RIP written and the length
 * read; known and dirty bits stay as they are. */
static inline void shadow_replay_store(struct vmcs_shadow *s, uint64_t saved, uint64_t rip, uint64_t len)
{
	s->val[VMCS_guest_rip] = rip & vmcs_field_mask(VMCS_guest_rip);
	s->val[VMCS_exit_instr_len] = len & vmcs_field_mask(VMCS_exit_instr_len);
	s->exit_rip = saved;
}

#endif
