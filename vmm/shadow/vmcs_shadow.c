/* Per-VM VMCS shadow: values, known bits and dirty bits. */
#include "vmm/shadow/vmcs_shadow.h"
#include <string.h>

void shadow_init(struct vmcs_shadow *s)
{
	memset(s, 0, sizeof(*s));
}

unsigned shadow_dirty_count(const struct vmcs_shadow *s)
{
	unsigned n = 0;
	for (int i = 0; i < SHADOW_WORDS; i++)
		for (uint64_t w = s->dirty[i]; w; w &= w - 1)
			n++;
	return n;
}
