/* VMCS life-cycle predictions (SDM Vol. 3C 31.3: VMCLEAR, VMPTRLD,
 * VMLAUNCH/VMRESUME; error numbers from 31.4). */
#include "vmm/shadow/vmcs_life.h"
#include <string.h>

static void vmfail(const struct life_state *s, uint32_t error, struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->kind = VERDICT_VMFAIL;
	v->code = s->current_valid ? error : 0;
	v->field = VMCS_FIELD_NONE;
}

static void ok(struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->kind = VERDICT_OK;
	v->field = VMCS_FIELD_NONE;
}

/* "If operand addr is not 4KB-aligned or sets any bits beyond the
 * physical-address width": SDM 31.3 VMCLEAR/VMPTRLD. */
static bool bad_addr(const struct life_state *s, uint64_t addr)
{
	return (addr & 0xfff) || (s->maxphyaddr < 64 && (addr >> s->maxphyaddr));
}

void life_vmclear(const struct life_state *s, uint64_t addr, struct verdict *v)
{
	if (bad_addr(s, addr))
		vmfail(s, LIFE_VMCLEAR_BAD_ADDR, v);
	else if (addr == s->vmxon_pa)
		vmfail(s, LIFE_VMCLEAR_VMXON, v);
	else
		ok(v);
}

void life_vmptrld(const struct life_state *s, uint64_t addr, uint32_t first_dword, struct verdict *v)
{
	if (bad_addr(s, addr))
		vmfail(s, LIFE_VMPTRLD_BAD_ADDR, v);
	else if (addr == s->vmxon_pa)
		vmfail(s, LIFE_VMPTRLD_VMXON, v);
	/* Bit 31 (shadow-VMCS indicator) without VMCS shadowing is also a
	 * revision mismatch; the VMM never enables VMCS shadowing. */
	else if (first_dword != s->revision)
		vmfail(s, LIFE_VMPTRLD_BAD_REVISION, v);
	else
		ok(v);
}

void life_enter(const struct life_state *s, bool launched, bool vmlaunch, bool movss, struct verdict *v)
{
	if (!s->current_valid)
		vmfail(s, 0, v);
	else if (movss)
		vmfail(s, LIFE_ENTRY_MOVSS_BLOCKING, v);
	else if (vmlaunch && launched)
		vmfail(s, LIFE_VMLAUNCH_NOT_CLEAR, v);
	else if (!vmlaunch && !launched)
		vmfail(s, LIFE_VMRESUME_NOT_LAUNCHED, v);
	else
		ok(v);
}
