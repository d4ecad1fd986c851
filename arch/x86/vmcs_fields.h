/* VMCS field table: enum, names, encodings and properties, all generated
 * from vmcs_fields.def (one table per fact). Pure C. */
#ifndef SHADOW_VMCS_FIELDS_H
#define SHADOW_VMCS_FIELDS_H
#include <stdbool.h>
#include <stdint.h>

enum vmcs_width { W16, W64, W32, WNAT };          /* SDM encoding bits 14:13 */
enum vmcs_kind { CTRL, RO, GUEST, HOST };          /* SDM encoding bits 11:10 */

enum vmcs_field {
#define X(name, enc, width, kind, group) VMCS_##name,
#include "arch/x86/vmcs_fields.def"
#undef X
	VMCS_FIELD_COUNT,
	VMCS_FIELD_NONE = -1
};

struct vmcs_field_info {
	const char *name;
	const char *group;
	uint32_t encoding;
	enum vmcs_width width;
	enum vmcs_kind kind;
};

extern const struct vmcs_field_info vmcs_field_table[VMCS_FIELD_COUNT];

/* Encoding and width again as small arrays visible to every file: with a
 * constant field (the hot path's RIP advance) the compiler folds the
 * lookup. Same .def rows as vmcs_field_table. */
static const uint32_t vmcs_field_enc_tab[VMCS_FIELD_COUNT] = {
#define X(name, enc, width, kind, group) enc,
#include "arch/x86/vmcs_fields.def"
#undef X
};
static const unsigned char vmcs_field_width_tab[VMCS_FIELD_COUNT] = {
#define X(name, enc, width, kind, group) width,
#include "arch/x86/vmcs_fields.def"
#undef X
};

static inline uint32_t vmcs_field_encoding(enum vmcs_field f)
{
	return vmcs_field_enc_tab[f];
}

static inline const char *vmcs_field_name(enum vmcs_field f)
{
	return vmcs_field_table[f].name;
}

/* Value mask a field of this width can hold (natural width: 64 bits). */
static inline uint64_t vmcs_field_mask(enum vmcs_field f)
{
	static const uint64_t masks[] = { [W16] = 0xffffull, [W64] = ~0ull, [W32] = 0xffffffffull,
					  [WNAT] = ~0ull };
	return masks[vmcs_field_width_tab[f]];
}

/* Bytes a field's value occupies (W16 2, W32 4, W64 and natural width 8). */
static inline unsigned vmcs_field_bytes(enum vmcs_field f)
{
	static const unsigned char bytes[] = { [W16] = 2, [W64] = 8, [W32] = 4, [WNAT] = 8 };
	return bytes[vmcs_field_width_tab[f]];
}

/* VMCS_FIELD_NONE when no row matches. */
enum vmcs_field vmcs_field_by_encoding(uint32_t encoding);
enum vmcs_field vmcs_field_by_name(const char *name, unsigned len);

#endif
