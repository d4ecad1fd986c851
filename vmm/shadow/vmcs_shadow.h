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
#include "vmcs_fields.h"

#define SHADOW_WORDS ((VMCS_FIELD_COUNT + 63) / 64)

struct vmcs_shadow {
	uint64_t val[VMCS_FIELD_COUNT];
	uint64_t known[SHADOW_WORDS];
	uint64_t dirty[SHADOW_WORDS];
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
/* Record a value read from the CPU: known, not dirty. */
static inline void shadow_fill(struct vmcs_shadow *s, enum vmcs_field f, uint64_t v)
{
	s->val[f] = v & vmcs_field_mask(f);
	shadow_bit_set(s->known, f);
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
/* After a VM exit: guest-state and read-only fields are the CPU's again. */
void shadow_on_exit(struct vmcs_shadow *s);
/* After a successful VM entry: nothing is dirty any more. */
void shadow_on_entry_ok(struct vmcs_shadow *s);
unsigned shadow_dirty_count(const struct vmcs_shadow *s);

#endif
