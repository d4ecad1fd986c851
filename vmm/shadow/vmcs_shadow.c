/* Per-VM VMCS shadow: values, known bits and dirty bits. */
#include "vmcs_shadow.h"
#include <string.h>

/* The guest-state and read-only fields, as a bitmap built once: a VM exit
 * hands them back to the CPU with three AND operations. */
static uint64_t cpu_owned[SHADOW_WORDS];
static bool cpu_owned_built;

static void build_cpu_owned(void)
{
	for (int i = 0; i < VMCS_FIELD_COUNT; i++) {
		enum vmcs_kind k = vmcs_field_table[i].kind;
		if (k == GUEST || k == RO)
			shadow_bit_set(cpu_owned, (enum vmcs_field)i);
	}
	cpu_owned_built = true;
}

void shadow_init(struct vmcs_shadow *s)
{
	memset(s, 0, sizeof(*s));
}

void shadow_on_exit(struct vmcs_shadow *s)
{
	if (__builtin_expect(!cpu_owned_built, 0))
		build_cpu_owned();
	for (int w = 0; w < SHADOW_WORDS; w++)
		s->known[w] &= ~cpu_owned[w];
	/* Every VM exit clears the valid bit of the VM-entry interruption-
	 * information field (SDM Vol. 3C 28.2.5): the VMM knows the new value. */
	s->val[VMCS_entry_intr_info] &= ~(1ull << 31);
}

void shadow_on_entry_ok(struct vmcs_shadow *s)
{
	for (int w = 0; w < SHADOW_WORDS; w++)
		s->dirty[w] = 0;
}

unsigned shadow_dirty_count(const struct vmcs_shadow *s)
{
	unsigned n = 0;
	for (int i = 0; i < SHADOW_WORDS; i++)
		for (uint64_t w = s->dirty[i]; w; w &= w - 1)
			n++;
	return n;
}
