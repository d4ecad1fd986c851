/* PMR cache model: K slots of cached VMCS state and the policy that fills them.
 *
 * The rules, exactly:
 *
 * Entries. Every pmr_on_entry() of VM v counts one entry of v (entries are
 * cumulative since pmr_init; VMCLEAR does not reset them) and advances a
 * global tick.
 *   - Hit: v holds a slot. It loads from memory only the fields invalidated
 *     since the slot was loaded: load = sum of their widths (W16 2, W32 4,
 *     W64 8, natural 8 bytes). The slot is valid again afterwards. A clean
 *     hit loads 0 bytes.
 *   - Miss: v holds no slot. It loads the whole VMCS state, vmcs_bytes as
 *     the caller passes it. Then the policy decides whether v gets a slot
 *     now (alloc). If it does and a slot is free, v takes the lowest-numbered
 *     free slot; if none is free, the policy names a victim, which is evicted
 *     (its state written back; counted as an evict of the victim, not a
 *     flush) and v takes its slot. With 0 slots nothing is ever allocated.
 *   miss_bytes adds load on both hits and misses.
 *
 * Policies, deciding at a miss of v:
 *   first        alloc always (in practice at v's VMLAUNCH, its 1st entry,
 *                and again at its next entry after losing the slot).
 *                Victim: the least recently entered holder (LRU).
 *   threshold:N  alloc when this is v's N-th entry or later; a VM entered
 *                fewer than N times never gets a slot. threshold:1 = first.
 *                Victim: LRU.
 *   history[:W]  freq(x) = entries of x among the last W entries of all VMs,
 *                this entry included. Alloc when freq(v) >= 2 (a VM seen
 *                once is not predicted to return) and either a slot is free
 *                or freq(v) > freq(h) for the least frequent holder h, which
 *                is the victim (ties among least frequent: LRU). A VM never
 *                evicts one at least as frequent as itself.
 *
 * VMWRITE of field f for v: if v holds a slot, f's cached copy becomes
 * invalid and an invalidate is counted, every time (a second write to an
 * already invalid field counts again but its bytes are loaded once, at the
 * next hit). If v holds no slot nothing happens.
 *
 * VMCLEAR of v (SDM Vol. 3C 25.11.3: VMCLEAR writes cached VMCS data back
 * to memory): if v holds a slot it is flushed and freed (one flush counted);
 * otherwise nothing happens (pmr=none).
 *
 * Per-VM counters: hits, misses, allocs, flushes, invalidates and
 * miss_bytes belong to the VM that entered / was written / was cleared;
 * evicts belong to the evicted VM (the trace prints op=evict under its id).
 * Totals are the sums. */
#include "vmm/shadow/pmr_cache.h"
#include <string.h>

static const struct pmr_counters pmr_zero_counters;

static bool vm_ok(unsigned vm)
{
	return pmr_vm_ok(vm);
}

static void outcome_clear(struct pmr_outcome *out)
{
	out->hit = false;
	out->load_bytes = 0;
	out->alloc_slot = -1;
	out->evicted_vm = 0;
	out->evicted_slot = -1;
	out->flushed = false;
	out->freed = false;
	out->slot = -1;
}

void pmr_config_default(struct pmr_config *cfg)
{
	cfg->policy = PMR_POLICY_FIRST;
	cfg->threshold = 1;
	cfg->slots = PMR_DEFAULT_SLOTS;
	cfg->window = PMR_DEFAULT_WINDOW;
}

static bool config_ok(const struct pmr_config *cfg)
{
	if (cfg->slots > PMR_MAX_SLOTS)
		return false;
	if (cfg->policy == PMR_POLICY_THRESHOLD)
		return cfg->threshold >= 1;
	if (cfg->policy == PMR_POLICY_HISTORY)
		return cfg->window >= 1 && cfg->window <= PMR_MAX_WINDOW;
	return cfg->policy == PMR_POLICY_FIRST;
}

bool pmr_init(struct pmr_cache *c, const struct pmr_config *cfg)
{
	bool ok = config_ok(cfg);

	memset(c, 0, sizeof(*c));
	if (ok)
		c->cfg = *cfg;
	else
		pmr_config_default(&c->cfg);
	for (unsigned v = 0; v <= PMR_MAX_VMS; v++)
		c->vm[v].slot = -1;
	return ok;
}

/* History: push v into the sliding window, dropping the oldest entry. */
static void window_push(struct pmr_cache *c, unsigned v)
{
	unsigned w = c->cfg.window;

	if (c->window_len == w) {
		c->vm[c->window[c->window_head]].window_freq--;
		c->window[c->window_head] = (uint8_t)v;
		c->window_head = (c->window_head + 1) % w;
	} else {
		c->window[(c->window_head + c->window_len) % w] = (uint8_t)v;
		c->window_len++;
	}
	c->vm[v].window_freq++;
}

void pmr_window_push_n(struct pmr_cache *c, unsigned v, uint64_t k)
{
	/* After a whole window of v, further pushes only turn the ring. */
	uint64_t w = c->cfg.window, fill = k < 2 * w ? k : w + (k - w) % w;
	for (uint64_t i = 0; i < fill; i++)
		window_push(c, v);
}

static int free_slot(const struct pmr_cache *c)
{
	for (unsigned s = 0; s < c->cfg.slots; s++)
		if (c->slot[s].vm == 0)
			return (int)s;
	return -1;
}

/* The holder to evict: least frequent in the window when by_freq (history),
 * ties and otherwise least recently entered. The cache must be full. */
static int victim_slot(const struct pmr_cache *c, bool by_freq)
{
	int best = 0;

	for (unsigned s = 1; s < c->cfg.slots; s++) {
		const struct pmr_slot *a = &c->slot[s], *b = &c->slot[best];
		unsigned fa = c->vm[a->vm].window_freq, fb = c->vm[b->vm].window_freq;

		if (by_freq && fa != fb) {
			if (fa < fb)
				best = (int)s;
		} else if (a->last_use < b->last_use) {
			best = (int)s;
		}
	}
	return best;
}

/* The policy's decision at a miss of v: the slot v gets (evicting its
 * holder if any), or -1. */
static int policy_pick(const struct pmr_cache *c, unsigned v)
{
	const struct pmr_vm *m = &c->vm[v];
	int s;

	if (c->cfg.slots == 0)
		return -1;
	switch (c->cfg.policy) {
	case PMR_POLICY_THRESHOLD:
		if (m->entries < c->cfg.threshold)
			return -1;
		/* fall through */
	case PMR_POLICY_FIRST:
		s = free_slot(c);
		return s >= 0 ? s : victim_slot(c, false);
	case PMR_POLICY_HISTORY:
		if (m->window_freq < 2)
			return -1;
		s = free_slot(c);
		if (s >= 0)
			return s;
		s = victim_slot(c, true);
		return m->window_freq > c->vm[c->slot[s].vm].window_freq ? s : -1;
	}
	return -1;
}

bool pmr_on_entry_slow(struct pmr_cache *c, unsigned vm, uint32_t vmcs_bytes,
                       struct pmr_outcome *out)
{
	struct pmr_vm *m;
	int s;

	outcome_clear(out);
	if (!vm_ok(vm))
		return false;
	m = &c->vm[vm];
	m->entries++;
	c->tick++;
	if (c->cfg.policy == PMR_POLICY_HISTORY)
		window_push(c, vm);

	if (m->slot >= 0) {
		pmr_hit(c, vm, out);
		return true;
	}

	out->load_bytes = vmcs_bytes;
	m->count.misses++;
	pmr_count_load(c, vm, vmcs_bytes);

	s = policy_pick(c, vm);
	if (s < 0)
		return true;
	if (c->slot[s].vm != 0) {
		unsigned victim = c->slot[s].vm;

		out->evicted_vm = (int)victim;
		out->evicted_slot = s;
		c->vm[victim].slot = -1;
		c->vm[victim].count.evicts++;
	}
	c->slot[s].vm = vm;
	c->slot[s].last_use = c->tick;
	memset(c->slot[s].invalid, 0, sizeof(c->slot[s].invalid));
	c->slot[s].invalid_bytes = 0;
	m->slot = s;
	m->count.allocs++;
	out->alloc_slot = s;
	out->slot = s;
	return true;
}

bool pmr_on_vmclear(struct pmr_cache *c, unsigned vm, struct pmr_outcome *out)
{
	struct pmr_vm *m;

	outcome_clear(out);
	if (!vm_ok(vm))
		return false;
	m = &c->vm[vm];
	if (m->slot < 0)
		return true;
	memset(&c->slot[m->slot], 0, sizeof(c->slot[m->slot]));
	out->flushed = true;
	out->freed = true;
	out->slot = m->slot;
	m->slot = -1;
	m->count.flushes++;
	return true;
}

const struct pmr_counters *pmr_vm_counters(const struct pmr_cache *c, unsigned vm)
{
	return vm_ok(vm) ? &c->vm[vm].count : &pmr_zero_counters;
}

const struct pmr_counters *pmr_total(struct pmr_cache *c)
{
	struct pmr_counters *t = &c->total;
	*t = pmr_zero_counters;
	for (unsigned v = 1; v <= PMR_MAX_VMS; v++) {
		const struct pmr_counters *k = &c->vm[v].count;
		t->hits += k->hits;
		t->misses += k->misses;
		t->allocs += k->allocs;
		t->evicts += k->evicts;
		t->flushes += k->flushes;
		t->invalidates += k->invalidates;
		t->miss_bytes += k->miss_bytes;
	}
	return t;
}

int pmr_slot_of(const struct pmr_cache *c, unsigned vm)
{
	return vm_ok(vm) ? c->vm[vm].slot : -1;
}

/* "name" alone, or "name:" followed by a decimal number in [1, max]. Returns
 * 0 for no match, 1 for the bare name, 2 with *n set. */
static int parse_named(const char *s, unsigned len, const char *name,
                       unsigned max, unsigned *n)
{
	unsigned nl = (unsigned)strlen(name), v = 0;

	if (len < nl || memcmp(s, name, nl) != 0)
		return 0;
	if (len == nl)
		return 1;
	if (s[nl] != ':' || len == nl + 1)
		return 0;
	for (unsigned i = nl + 1; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > max)
			return 0;
	}
	if (v == 0)
		return 0;
	*n = v;
	return 2;
}

bool pmr_parse_policy(const char *s, unsigned len, struct pmr_config *cfg)
{
	unsigned n;

	if (len == 5 && memcmp(s, "first", 5) == 0) {
		cfg->policy = PMR_POLICY_FIRST;
		return true;
	}
	if (parse_named(s, len, "threshold", 1000000, &n) == 2) {
		cfg->policy = PMR_POLICY_THRESHOLD;
		cfg->threshold = n;
		return true;
	}
	switch (parse_named(s, len, "history", PMR_MAX_WINDOW, &n)) {
	case 1:
		cfg->policy = PMR_POLICY_HISTORY;
		cfg->window = PMR_DEFAULT_WINDOW;
		return true;
	case 2:
		cfg->policy = PMR_POLICY_HISTORY;
		cfg->window = n;
		return true;
	}
	return false;
}

/* Append s, or the decimal n when s is NULL, keeping room for the NUL. */
static unsigned put(char *buf, unsigned size, unsigned at, const char *s,
                    unsigned n)
{
	char digits[10];
	unsigned len = 0;

	if (s == NULL) {
		do {
			digits[sizeof(digits) - 1 - len++] = (char)('0' + n % 10);
			n /= 10;
		} while (n != 0);
		s = &digits[sizeof(digits) - len];
	} else {
		len = (unsigned)strlen(s);
	}
	for (unsigned i = 0; i < len && at + 1 < size; i++)
		buf[at++] = s[i];
	return at;
}

unsigned pmr_policy_format(const struct pmr_config *cfg, char *buf, unsigned size)
{
	unsigned at = 0;

	if (size == 0)
		return 0;
	switch (cfg->policy) {
	case PMR_POLICY_FIRST:
		at = put(buf, size, at, "first", 0);
		break;
	case PMR_POLICY_THRESHOLD:
		at = put(buf, size, at, "threshold:", 0);
		at = put(buf, size, at, NULL, cfg->threshold);
		break;
	case PMR_POLICY_HISTORY:
		at = put(buf, size, at, "history", 0);
		if (cfg->window != PMR_DEFAULT_WINDOW) {
			at = put(buf, size, at, ":", 0);
			at = put(buf, size, at, NULL, cfg->window);
		}
		break;
	}
	buf[at] = '\0';
	return at;
}
