/* Command line parsing: "vms=a,b policy=threshold:3 slots=2 quantum=N
 * trace=all|summary fastpath=on|noreplay|off testhc=off|on cpus=N entrycheck=..."
 * (the first word is skipped when it is the image path). */
#include "vmm/config.h"
#include "vmm/fmt.h"
#include <string.h>

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static bool parse_u32(const char *s, unsigned len, uint32_t *out)
{
	uint64_t v = 0;
	if (len == 0 || len > 10)
		return false;
	for (unsigned i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > 0xffffffffu)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* v is word no or word yes: *out says which. */
static bool parse_pair(const char *v, unsigned vlen, const char *no, const char *yes, bool *out)
{
	bool y = vlen == strlen(yes) && !memcmp(v, yes, vlen);
	if (!y && !(vlen == strlen(no) && !memcmp(v, no, vlen)))
		return false;
	*out = y;
	return true;
}

/* fastpath=on|noreplay|off */
static bool parse_fastpath(const char *v, unsigned vlen, struct config *c)
{
	bool noreplay = vlen == 8 && !memcmp(v, "noreplay", 8);
	if ((vlen == 2 && !memcmp(v, "on", 2)) || (vlen == 3 && !memcmp(v, "off", 3)) || noreplay) {
		c->fastpath_off = vlen == 3;
		c->replay_off = vlen != 2;
		return true;
	}
	return false;
}

/* A VM's memory, "SIZE" of NAME:SIZE: a number and K, M or G, a whole
 * number of 4 KiB pages, 64 KiB to 1 GiB (one EPT page directory). */
static bool parse_mem(const char *s, unsigned len, uint32_t *kb)
{
	uint32_t n;
	unsigned shift;
	if (len < 2)
		return false;
	switch (s[len - 1]) {
	case 'K': case 'k': shift = 0; break;
	case 'M': case 'm': shift = 10; break;
	case 'G': case 'g': shift = 20; break;
	default: return false;
	}
	if (!parse_u32(s, len - 1, &n) || n > (1u << 20) >> shift)
		return false;
	*kb = n << shift;
	return *kb >= 64 && *kb <= (1u << 20) && *kb % 4 == 0;
}

static bool parse_vms(const char *v, unsigned len, guest_lookup_fn lookup, struct config *c,
		      char *err, size_t errlen)
{
	c->nvms = 0;
	unsigned start = 0;
	for (unsigned i = 0; i <= len; i++) {
		if (i < len && v[i] != ',')
			continue;
		unsigned n = i - start, name = n;
		const char *colon = memchr(v + start, ':', n);
		uint32_t kb = 0;
		if (colon) {
			name = (unsigned)(colon - (v + start));
			if (!parse_mem(colon + 1, n - name - 1, &kb)) {
				fmt(err, errlen, "bad memory size in vms= (NAME:SIZE, SIZE 64K to 1G in K, M or G, "
				    "a multiple of 4K)");
				return false;
			}
		}
		const struct guest_image *g = name ? lookup(v + start, name) : NULL;
		if (!g) {
			size_t o = fmt(err, errlen, "unknown guest \"");
			for (unsigned k = 0; k < name && o + 16 < errlen; k++)
				err[o++] = v[start + k];
			fmt(err + o, errlen - o, "\" in vms=");
			return false;
		}
		if (c->nvms == VM_MAX) {
			fmt(err, errlen, "too many VMs in vms= (at most %u)", VM_MAX);
			return false;
		}
		c->mem_kb[c->nvms] = kb;
		c->vms[c->nvms++] = g;
		start = i + 1;
	}
	return true;
}

static bool parse_word(const char *w, unsigned len, guest_lookup_fn lookup, struct config *c,
		       char *err, size_t errlen)
{
	const char *eq = memchr(w, '=', len);
	unsigned klen = eq ? (unsigned)(eq - w) : len;
	const char *v = eq ? eq + 1 : w + len;
	unsigned vlen = len - klen - (eq ? 1 : 0);
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(w, k, klen) == 0)
	if (KEY("vms") && eq)
		return parse_vms(v, vlen, lookup, c, err, errlen);
	if (KEY("policy") && eq) {
		if (pmr_parse_policy(v, vlen, &c->pmr))
			return true;
		fmt(err, errlen, "bad policy= (use first, threshold:N or history[:W])");
		return false;
	}
	if (KEY("slots") && eq) {
		uint32_t s;
		if (parse_u32(v, vlen, &s) && s <= PMR_MAX_SLOTS) {
			c->pmr.slots = s;
			return true;
		}
		fmt(err, errlen, "bad slots= (0..%u)", PMR_MAX_SLOTS);
		return false;
	}
	if (KEY("quantum") && eq) {
		if (parse_u32(v, vlen, &c->quantum) && c->quantum > 0)
			return true;
		fmt(err, errlen, "bad quantum= (a positive number of timer ticks)");
		return false;
	}
	if (KEY("trace") && eq) {
		if (parse_pair(v, vlen, "all", "summary", &c->trace_summary)) {
			c->trace_given = true;
			return true;
		}
		fmt(err, errlen, "bad trace= (use all or summary)");
		return false;
	}
	if (KEY("testhc") && eq) {
		if (parse_pair(v, vlen, "off", "on", &c->testhc))
			return true;
		fmt(err, errlen, "bad testhc= (use on or off)");
		return false;
	}
	if (KEY("fastpath") && eq) {
		if (parse_fastpath(v, vlen, c))
			return true;
		fmt(err, errlen, "bad fastpath= (use on, noreplay or off)");
		return false;
	}
	if (KEY("migrate") && eq) {
		if (migrate_parse(v, vlen, &c->migrate))
			return true;
		fmt(err, errlen, "bad migrate= (use none, every:K with K >= 1, or balance)");
		return false;
	}
	if (KEY("cpus") && eq) {
		uint32_t n;
		if (parse_u32(v, vlen, &n) && n >= 1 && n <= SMP_MAX_CPUS) {
			c->cpus = n;
			return true;
		}
		fmt(err, errlen, "bad cpus= (1..%u: the CPUs to use, the boot CPU included)", SMP_MAX_CPUS);
		return false;
	}
	if (KEY("checkcpu") && eq) {
		uint32_t n;
		if (parse_u32(v, vlen, &n) && n < SMP_MAX_CPUS) {
			c->checkcpu = n;
			return true;
		}
		fmt(err, errlen, "bad checkcpu= (0..%u: the CPU the differential mode runs on)", SMP_MAX_CPUS - 1);
		return false;
	}
	if (KEY("entrycheck") && eq && vlen) {
		c->entrycheck = v;
		c->entrycheck_len = vlen;
		return true;
	}
#undef KEY
	size_t o = fmt(err, errlen, "unknown option \"");
	for (unsigned k = 0; k < len && o + 4 < errlen; k++)
		err[o++] = w[k];
	fmt(err + o, errlen - o, "\"");
	return false;
}

bool config_parse(const char *cmdline, guest_lookup_fn lookup, struct config *c,
		  char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	pmr_config_default(&c->pmr);
	c->quantum = CONFIG_DEFAULT_QUANTUM;
	err[0] = '\0';
	if (!parse_vms(CONFIG_DEFAULT_VMS, sizeof(CONFIG_DEFAULT_VMS) - 1, lookup, c, err, errlen))
		return false;
	const char *p = cmdline ? cmdline : "";
	for (bool first = true; *p; first = false) {
		while (is_space(*p))
			p++;
		const char *w = p;
		while (*p && !is_space(*p))
			p++;
		unsigned len = (unsigned)(p - w);
		if (!len)
			break;
		if (first && !memchr(w, '=', len))
			continue;            /* the image path GRUB or the shell passes */
		if (!parse_word(w, len, lookup, c, err, errlen))
			return false;
	}
	/* A kernel's boot takes tens of thousands of exits: a line for each
	 * would take the serial line minutes. trace=all still asks for them. */
	if (!c->trace_given && config_has_pc_guest(c))
		c->trace_summary = true;
	return true;
}

bool config_has_pc_guest(const struct config *c)
{
	for (unsigned i = 0; i < c->nvms; i++)
		if (c->vms[i]->kind == GUEST_LINUX)
			return true;
	return false;
}
