/* The VMCS field table, expanded from vmcs_fields.def. */
#include "arch/x86/vmcs_fields.h"
#include <string.h>

const struct vmcs_field_info vmcs_field_table[VMCS_FIELD_COUNT] = {
#define X(name, enc, width, kind, group) { #name, #group, enc, width, kind },
#include "arch/x86/vmcs_fields.def"
#undef X
};

enum vmcs_field vmcs_field_by_encoding(uint32_t encoding)
{
	for (int i = 0; i < VMCS_FIELD_COUNT; i++)
		if (vmcs_field_table[i].encoding == encoding)
			return (enum vmcs_field)i;
	return VMCS_FIELD_NONE;
}

enum vmcs_field vmcs_field_by_name(const char *name, unsigned len)
{
	for (int i = 0; i < VMCS_FIELD_COUNT; i++) {
		const char *n = vmcs_field_table[i].name;
		if (strlen(n) == len && memcmp(n, name, len) == 0)
			return (enum vmcs_field)i;
	}
	return VMCS_FIELD_NONE;
}
