/* Processor-managed-resource (PMR) cache model.
 *
 * A processor may keep the VMCS state of a few VMs in on-chip slots, so that
 * entering such a VM needs no load from the VMCS region in memory (SDM Vol.
 * 3C 25.11.1 leaves the caching of VMCS data to the implementation; VMCLEAR
 * is what forces it back to memory, 25.11.3). This module models K such
 * slots and a policy that decides which VMs get one. It decides and counts;
 * the caller prints the trace lines (docs/TRACE.md: pmr=, load=, ev=pmr).
 * The exact rules are at the top of pmr_cache.c. Pure C, no allocation. */
#ifndef SHADOW_PMR_CACHE_H
#define SHADOW_PMR_CACHE_H
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/vmcs_fields.h"

#define PMR_MAX_SLOTS      8
#define PMR_MAX_VMS        64     /* VM ids are 1..PMR_MAX_VMS */
#define PMR_MAX_WINDOW     256    /* history: longest sliding window */
#define PMR_DEFAULT_SLOTS  2
#define PMR_DEFAULT_WINDOW 16
#define PMR_WORDS          ((VMCS_FIELD_COUNT + 63) / 64)

enum pmr_policy { PMR_POLICY_FIRST, PMR_POLICY_THRESHOLD, PMR_POLICY_HISTORY };

struct pmr_config {
	enum pmr_policy policy;
	unsigned threshold;       /* THRESHOLD: allocate from the N-th entry, N >= 1 */
	unsigned slots;           /* 0..PMR_MAX_SLOTS; 0 = no cache, every entry misses */
	unsigned window;          /* HISTORY: last W entries, 1..PMR_MAX_WINDOW */
};

struct pmr_counters {
	uint64_t hits, misses, allocs, evicts, flushes, invalidates, miss_bytes;
};

/* What one call did, for the trace. Fields a call does not touch are in
 * their "nothing" state: false, 0 (VM ids) or -1 (slots). */
struct pmr_outcome {
	bool hit;                 /* entry: the VM held a slot */
	uint32_t load_bytes;      /* entry: bytes loaded from memory (load=) */
	int alloc_slot;           /* entry: slot given to this VM, -1 none */
	int evicted_vm;           /* entry: VM evicted to make room, 0 none */
	int evicted_slot;         /* entry: the slot it lost, -1 none */
	bool flushed;             /* vmclear: slot written back to memory */
	bool freed;               /* vmclear: slot released */
	int slot;                 /* entry: slot held after the entry;
	                             vmclear: slot flushed and freed; -1 none */
};

struct pmr_slot {
	unsigned vm;              /* 0 = free */
	uint64_t last_use;        /* tick of the holder's last entry (LRU) */
	uint64_t invalid[PMR_WORDS]; /* fields written since the slot was loaded */
	uint32_t invalid_bytes;   /* their widths, summed: what the next hit loads */
};

struct pmr_vm {
	int slot;                 /* -1 none */
	uint64_t entries;         /* entries since pmr_init, VMCLEAR does not reset */
	unsigned window_freq;     /* history: entries among the last W */
	struct pmr_counters count;
};

struct pmr_cache {
	struct pmr_config cfg;
	uint64_t tick;            /* entries of all VMs so far */
	struct pmr_slot slot[PMR_MAX_SLOTS];
	struct pmr_vm vm[PMR_MAX_VMS + 1];   /* index 0 unused */
	uint8_t window[PMR_MAX_WINDOW];      /* ring of VM ids, oldest at head */
	unsigned window_head, window_len;
	struct pmr_counters total;          /* pmr_total's result */
};

/* Defaults: first, PMR_DEFAULT_SLOTS slots, threshold 1, window
 * PMR_DEFAULT_WINDOW. */
void pmr_config_default(struct pmr_config *cfg);
/* False (and the cache set up with the default config) when cfg is out of
 * range: slots > PMR_MAX_SLOTS, threshold 0 under THRESHOLD, window 0 or
 * > PMR_MAX_WINDOW under HISTORY. */
bool pmr_init(struct pmr_cache *c, const struct pmr_config *cfg);

static inline bool pmr_vm_ok(unsigned vm)
{
	return vm >= 1 && vm <= PMR_MAX_VMS;
}

/* What a hit loads: the fields invalidated since the slot was loaded; the
 * slot is valid again afterwards. */
static inline uint32_t pmr_hit_load(struct pmr_slot *sl)
{
	uint32_t bytes = sl->invalid_bytes;

	if (bytes) {
		for (unsigned w = 0; w < PMR_WORDS; w++)
			sl->invalid[w] = 0;
		sl->invalid_bytes = 0;
	}
	return bytes;
}

static inline void pmr_count_load(struct pmr_cache *c, unsigned v, uint32_t bytes)
{
	c->vm[v].count.miss_bytes += bytes;
}

/* An entry of vm, which holds a slot, after its entry and tick are
 * counted: a hit. */
static inline void pmr_hit(struct pmr_cache *c, unsigned vm, struct pmr_outcome *out)
{
	struct pmr_vm *m = &c->vm[vm];
	struct pmr_slot *sl = &c->slot[m->slot];
	sl->last_use = c->tick;
	out->hit = true;
	out->load_bytes = pmr_hit_load(sl);
	out->alloc_slot = -1;
	out->evicted_vm = 0;
	out->evicted_slot = -1;
	out->flushed = false;
	out->freed = false;
	out->slot = m->slot;
	m->count.hits++;
	pmr_count_load(c, vm, out->load_bytes);
}

/* A VM entry (VMLAUNCH or VMRESUME) of vm with a VMCS state of vmcs_bytes.
 * False, with nothing changed, for a VM id outside 1..PMR_MAX_VMS. A hit
 * under first or threshold (the common entry) is handled inline. */
bool pmr_on_entry_slow(struct pmr_cache *c, unsigned vm, uint32_t vmcs_bytes,
                       struct pmr_outcome *out);
static inline bool pmr_on_entry(struct pmr_cache *c, unsigned vm, uint32_t vmcs_bytes,
                                struct pmr_outcome *out)
{
	if (!pmr_vm_ok(vm) || c->vm[vm].slot < 0 || c->cfg.policy == PMR_POLICY_HISTORY)
		return pmr_on_entry_slow(c, vm, vmcs_bytes, out);
	c->vm[vm].entries++;
	c->tick++;
	pmr_hit(c, vm, out);
	return true;
}

/* A VMWRITE of field f. True = a cached copy was invalidated
 * (pmr=invalidate), false = the VM holds no slot (pmr=none). */
static inline bool pmr_on_vmwrite(struct pmr_cache *c, unsigned vm, enum vmcs_field f)
{
	if (!pmr_vm_ok(vm) || c->vm[vm].slot < 0 || f < 0 || f >= VMCS_FIELD_COUNT)
		return false;
	struct pmr_slot *sl = &c->slot[c->vm[vm].slot];
	uint64_t bit = 1ull << (f % 64);
	if (!(sl->invalid[f / 64] & bit)) {
		sl->invalid[f / 64] |= bit;
		sl->invalid_bytes += vmcs_field_bytes(f);
	}
	c->vm[vm].count.invalidates++;
	return true;
}
/* History: vm's entries pushed into the sliding window, k times. */
void pmr_window_push_n(struct pmr_cache *c, unsigned vm, uint64_t k);

/* vm holds a slot with nothing invalid in it (pmr_write_then_hit's
 * condition). */
static inline bool pmr_holds_clean_slot(const struct pmr_cache *c, unsigned vm)
{
	return pmr_vm_ok(vm) && c->vm[vm].slot >= 0 && c->slot[c->vm[vm].slot].invalid_bytes == 0;
}

/* k times a VMWRITE of f and then an entry of vm, where vm holds a slot
 * with nothing invalid: what pmr_on_vmwrite and pmr_on_entry do then, in
 * one step (the scheduler's replay of CPUID round trips). */
static inline void pmr_write_then_hit(struct pmr_cache *c, unsigned vm, enum vmcs_field f, uint64_t k)
{
	struct pmr_vm *m = &c->vm[vm];
	m->count.invalidates += k;
	m->entries += k;
	c->tick += k;
	if (c->cfg.policy == PMR_POLICY_HISTORY)
		pmr_window_push_n(c, vm, k);
	c->slot[m->slot].last_use = c->tick;
	m->count.hits += k;
	m->count.miss_bytes += k * vmcs_field_bytes(f);
}

/* A VMCLEAR. out->flushed/freed tell whether a slot was written back and
 * released (pmr=flush,free) or not (pmr=none). False for a bad VM id. */
bool pmr_on_vmclear(struct pmr_cache *c, unsigned vm, struct pmr_outcome *out);

/* Counters of one VM (all zero for an id outside 1..PMR_MAX_VMS). */
const struct pmr_counters *pmr_vm_counters(const struct pmr_cache *c, unsigned vm);
/* The sum over all VMs, computed when asked (the hot path counts per VM
 * only); valid until the next call. */
const struct pmr_counters *pmr_total(struct pmr_cache *c);
int pmr_slot_of(const struct pmr_cache *c, unsigned vm);   /* -1 none */

/* Parse "first", "threshold:N" (N >= 1), "history" or "history:W"
 * (1 <= W <= PMR_MAX_WINDOW) from s[0..len). Sets the policy and its one
 * parameter; other members are left alone. False, cfg untouched, on
 * anything else. */
bool pmr_parse_policy(const char *s, unsigned len, struct pmr_config *cfg);
/* The inverse: "first", "threshold:N", "history" (default window) or
 * "history:W". Writes at most size - 1 characters and a NUL (when size > 0);
 * returns the number of characters written, NUL not counted. */
unsigned pmr_policy_format(const struct pmr_config *cfg, char *buf, unsigned size);

#endif
