/* The 8254 model: control word, counter access and modes as in Intel's
 * 82C54 data sheet ("Control Word Format", "Read-Back Command", "Mode
 * Definitions"). A channel's count and OUT are computed from the time
 * since its count was loaded, so nothing runs between accesses. */
#include "vmm/devices/pit.h"

#define CW_SC(v)     ((v) >> 6)          /* select counter; 3 = read-back */
#define CW_RW(v)     (((v) >> 4) & 3)    /* 0 = counter latch command */
#define CW_MODE(v)   (((v) >> 1) & 7)
#define RW_LO    1
#define RW_HI    2
#define RW_LOHI  3
#define RB_NO_COUNT  0x20                /* read-back: do not latch the count */
#define RB_NO_STATUS 0x10                /* read-back: do not latch the status */
#define ST_OUT   0x80                    /* read-back status: OUT pin */
#define P61_GATE2    0x01
#define P61_WRITABLE 0x0f
#define P61_REFRESH  0x10                /* toggles every 15.085 us */
#define P61_OUT2     0x20
#define REFRESH_TICKS 18                 /* 15.085 us in PIT ticks */

void pit_init(struct pit *p, uint64_t tsc_hz)
{
	*p = (struct pit){ .tsc_hz = tsc_hz ? tsc_hz : PIT_HZ };
	p->ch[0].gate = p->ch[1].gate = true;   /* channel 2's is port 0x61 bit 0 */
}

/* floor((now - since) * PIT_HZ / tsc_hz) without a 128-bit product. */
uint64_t pit_ticks(const struct pit *p, uint64_t since, uint64_t now)
{
	if (now <= since)
		return 0;
	uint64_t d = now - since, hz = p->tsc_hz;
	return d / hz * PIT_HZ + d % hz * PIT_HZ / hz;
}

/* The smallest TSC offset at which pit_ticks reaches k. */
static uint64_t tsc_of_ticks(const struct pit *p, uint64_t k)
{
	uint64_t hz = p->tsc_hz;
	return k / PIT_HZ * hz + (k % PIT_HZ * hz + PIT_HZ - 1) / PIT_HZ;
}

static bool periodic(const struct pit_channel *c)
{
	return c->mode == 2 || c->mode == 3;
}

static uint16_t count_now(const struct pit *p, const struct pit_channel *c, uint64_t now)
{
	if (!c->counting)
		return (uint16_t)c->held;
	uint64_t e = pit_ticks(p, c->start, now);
	uint32_t n = c->reload;
	if (c->mode == 2)
		return (uint16_t)(n - e % n);
	if (c->mode == 3) {   /* down by two, twice a period */
		uint32_t half = n / 2 ? n / 2 : 1;
		return (uint16_t)((n - 2 * (e % half)) & ~1u);
	}
	return (uint16_t)(c->held - e);   /* mode 0: wraps past zero */
}

bool pit_out(const struct pit *p, unsigned ch, uint64_t now)
{
	const struct pit_channel *c = &p->ch[ch % 3];
	if (!c->counting)
		return periodic(c) || c->out_held;
	uint64_t e = pit_ticks(p, c->start, now);
	uint32_t n = c->reload;
	if (c->mode == 2)
		return n == 1 || e % n != n - 1;   /* low for the count of one */
	if (c->mode == 3)
		return e % n < (n + 1) / 2;        /* high for the first half */
	return c->out_held || e >= (c->held ? c->held : 65536u);
}

static void start_counting(struct pit *p, struct pit_channel *c, uint64_t now)
{
	c->start = now;
	c->counting = c->gate;
	if (c == &p->ch[0])
		p->irq0_seen = 0;
}

static void load(struct pit *p, struct pit_channel *c, uint32_t v, uint64_t now)
{
	c->reload = v ? v : 65536u;
	c->held = c->reload & 0xffff;   /* mode 0 counts down from here */
	c->out_held = false;            /* and its OUT is low until then */
	start_counting(p, c, now);
}

static void latch_count(struct pit *p, struct pit_channel *c, uint64_t now)
{
	if (c->latched)
		return;   /* a second latch before the read is ignored */
	c->latch = count_now(p, c, now);
	c->latched = true;
	c->latched_hi = false;
}

static void latch_status(struct pit *p, unsigned ch, uint64_t now)
{
	struct pit_channel *c = &p->ch[ch];
	if (c->status_latched)
		return;
	c->status = (uint8_t)((pit_out(p, ch, now) ? ST_OUT : 0) | c->access << 4 | c->mode << 1);
	c->status_latched = true;
}

static void read_back(struct pit *p, uint8_t v, uint64_t now)
{
	for (unsigned ch = 0; ch < 3; ch++) {
		if (!(v & (2u << ch)))
			continue;
		if (!(v & RB_NO_STATUS))
			latch_status(p, ch, now);
		if (!(v & RB_NO_COUNT))
			latch_count(p, &p->ch[ch], now);
	}
}

static void control_word(struct pit *p, uint8_t v, uint64_t now)
{
	if (CW_SC(v) == 3) {
		read_back(p, v, now);
		return;
	}
	struct pit_channel *c = &p->ch[CW_SC(v)];
	if (CW_RW(v) == 0) {
		latch_count(p, c, now);
		return;
	}
	uint8_t mode = CW_MODE(v);
	c->mode = mode >= 6 ? mode - 4 : mode;   /* 6, 7: modes 2, 3 */
	if (c->mode == 1 || c->mode == 4 || c->mode == 5)
		c->mode = 0;
	c->access = CW_RW(v);
	c->reload = 0;
	c->held = 0xffff;
	c->counting = false;
	c->out_held = false;   /* mode 0's OUT goes low until a count ends */
	c->write_hi = c->read_hi = c->latched = c->status_latched = false;
}

void pit_write(struct pit *p, unsigned reg, uint8_t v, uint64_t now)
{
	if (reg == 3) {
		control_word(p, v, now);
		return;
	}
	struct pit_channel *c = &p->ch[reg % 3];
	if (c->access == RW_LO)
		load(p, c, v, now);
	else if (c->access == RW_HI)
		load(p, c, (uint32_t)v << 8, now);
	else if (c->access == RW_LOHI && !c->write_hi) {
		c->write_lo = v;
		c->write_hi = true;
	} else if (c->access == RW_LOHI) {
		c->write_hi = false;
		load(p, c, c->write_lo | (uint32_t)v << 8, now);
	}
}

/* Which byte of a 16-bit value the access mode reads next. */
static uint8_t read_byte(uint8_t access, bool *hi_next, uint16_t v, bool *done)
{
	bool hi = access == RW_HI || (access == RW_LOHI && *hi_next);
	*done = access != RW_LOHI || *hi_next;
	if (access == RW_LOHI)
		*hi_next = !*hi_next;
	return hi ? (uint8_t)(v >> 8) : (uint8_t)v;
}

uint8_t pit_read(struct pit *p, unsigned reg, uint64_t now)
{
	if (reg == 3)
		return 0xff;   /* the control word register cannot be read */
	struct pit_channel *c = &p->ch[reg % 3];
	bool done;
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latched) {
		uint8_t b = read_byte(c->access, &c->latched_hi, c->latch, &done);
		if (done)
			c->latched = false;
		return b;
	}
	return read_byte(c->access, &c->read_hi, count_now(p, c, now), &done);
}

/* Channel 2's gate: low holds the count (mode 0) or forces OUT high
 * (modes 2 and 3); a rising edge resumes mode 0 and restarts 2 and 3. */
static void set_gate2(struct pit *p, bool high, uint64_t now)
{
	struct pit_channel *c = &p->ch[2];
	if (high == c->gate)
		return;
	if (!high && c->counting) {
		c->out_held = pit_out(p, 2, now);   /* before held changes */
		c->held = count_now(p, c, now);
	}
	c->gate = high;
	if (!high) {
		c->counting = false;
		return;
	}
	if (c->reload == 0)
		return;
	if (periodic(c))
		c->held = c->reload & 0xffff;
	start_counting(p, c, now);
}

uint8_t pit_read_port61(struct pit *p, uint64_t now)
{
	uint8_t v = p->port61;
	if ((pit_ticks(p, 0, now) / REFRESH_TICKS) & 1)
		v |= P61_REFRESH;
	if (pit_out(p, 2, now))
		v |= P61_OUT2;
	return v;
}

void pit_write_port61(struct pit *p, uint8_t v, uint64_t now)
{
	p->port61 = v & P61_WRITABLE;
	set_gate2(p, v & P61_GATE2, now);
}

static uint64_t irq0_edges(const struct pit *p, uint64_t now)
{
	const struct pit_channel *c = &p->ch[0];
	if (!c->counting)
		return 0;
	uint64_t e = pit_ticks(p, c->start, now);
	if (periodic(c))
		return e / c->reload;
	return e >= c->reload ? 1 : 0;
}

bool pit_irq0_due(struct pit *p, uint64_t now)
{
	uint64_t n = irq0_edges(p, now);
	if (n <= p->irq0_seen)
		return false;
	p->irq0_seen = n;
	return true;
}

uint64_t pit_irq0_next(const struct pit *p)
{
	const struct pit_channel *c = &p->ch[0];
	if (!c->counting || (!periodic(c) && p->irq0_seen))
		return UINT64_MAX;
	uint64_t k = periodic(c) ? (p->irq0_seen + 1) * c->reload : c->reload;
	return c->start + tsc_of_ticks(p, k);
}
