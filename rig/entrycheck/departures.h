/* Known departures of an emulated CPU from the SDM (README, "Known
 * departures"). The shadow keeps the SDM's rule; a disagreement that a row
 * here explains is counted as a departure (departures=N) and printed in
 * full, never as an agreement. Each row names the SDM section, the emulator
 * and what it does instead, and matches the VMCS state that triggers it.
 * Pure C. */
#ifndef RIG_DEPARTURES_H
#define RIG_DEPARTURES_H
#include "rig/entrycheck/casefile.h"
#include "vmm/notify.h"

struct departure {
	const char *id;          /* stable name, e.g. bochs27.pending_dbg_high */
	const char *sdm;         /* the SDM section the emulator departs from */
	const char *what;        /* what the emulator does instead */
	/* s: the VMCS as written before the entry; shadow/cpu: the verdicts. */
	bool (*matches)(const struct vmcs_shadow *s, const struct verdict *shadow, const struct outcome *cpu);
};

/* The row that explains this disagreement, or NULL. */
const struct departure *departure_find(const struct vmcs_shadow *s, const struct verdict *shadow,
				       const struct outcome *cpu);

#endif
