/* The entry-check table, assembled in validation order from its parts:
 * controls (27.2.1), host state (27.2.2-27.2.4), guest registers
 * (27.3.1.1), guest segments and descriptor tables (27.3.1.2-27.3.1.3),
 * guest RIP/RFLAGS, non-register state and PDPTEs (27.3.1.4-27.3.1.6). */
#include "vmm/shadow/entry_checks_impl.h"
#include <string.h>

struct part {
	const struct entry_check *rows;
	const unsigned *count;
};

static const struct part parts[] = {
	{ entry_checks_ctl, &entry_checks_ctl_count },
	{ entry_checks_exit_entry, &entry_checks_exit_entry_count },
	{ entry_checks_host, &entry_checks_host_count },
	{ entry_checks_guest, &entry_checks_guest_count },
	{ entry_checks_seg, &entry_checks_seg_count },
	{ entry_checks_state, &entry_checks_state_count },
};
#define NPARTS (sizeof(parts) / sizeof(parts[0]))

unsigned entry_check_count(void)
{
	unsigned n = 0;
	for (unsigned p = 0; p < NPARTS; p++)
		n += *parts[p].count;
	return n;
}

const struct entry_check *entry_check_at(unsigned i)
{
	for (unsigned p = 0; p < NPARTS; p++) {
		if (i < *parts[p].count)
			return &parts[p].rows[i];
		i -= *parts[p].count;
	}
	return NULL;
}

const struct entry_check *entry_check_by_id(const char *id)
{
	size_t len = strlen(id);
	for (unsigned p = 0; p < NPARTS; p++)
		for (unsigned i = 0; i < *parts[p].count; i++) {
			const char *r = parts[p].rows[i].id;
			if (strlen(r) == len && memcmp(r, id, len) == 0)
				return &parts[p].rows[i];
		}
	return NULL;
}

bool entry_check_reads(const struct entry_check *chk, enum vmcs_field f)
{
	for (unsigned i = 0; i < ENTRY_CHECK_MAX_READS; i++) {
		if (chk->reads[i] == VMCS_FIELD_NONE)
			return false;
		if (chk->reads[i] == f)
			return true;
	}
	return false;
}
