/* The 8259A pair: command words as in Intel's 8259A data sheet
 * (ICW1-ICW4 p. 11-13, OCW1-OCW3 p. 14-15). */
#include "vmm/devices/pic.h"

#define ICW1_IC4    0x01   /* ICW4 follows */
#define ICW1_SNGL   0x02   /* single chip: no ICW3 */
#define ICW1_LTIM   0x08   /* level-triggered */
#define ICW1_INIT   0x10   /* on the even port: this is ICW1 */
#define OCW3_SEL    0x08   /* on the even port, without ICW1_INIT: OCW3 */
#define OCW3_RR     0x02   /* the read select below is valid */
#define OCW3_RIS    0x01   /* read ISR */
#define ICW4_AEOI   0x02
#define OCW2_EOI          1   /* bits 7:5 of OCW2 */
#define OCW2_SPECIFIC_EOI 3
#define OCW2_ROTATE_EOI   5
#define OCW2_ROTATE_SPECIFIC_EOI 7
#define CASCADE_IRQ 2
#define SPURIOUS_IR 7

void pic_init(struct pic *p)
{
	*p = (struct pic){ 0 };
}

/* The highest-priority unmasked request (IR0 first) that outranks every
 * interrupt in service, or -1. extra: requests from outside the IRR (the
 * slave's INT output on the master's IR2). */
static int chip_pending(const struct pic_chip *c, uint8_t extra)
{
	uint8_t req = (uint8_t)((c->irr | extra) & ~c->imr);
	if (!req)
		return -1;
	int irq = __builtin_ctz(req);
	if (c->isr && __builtin_ctz(c->isr) <= irq)
		return -1;
	return irq;
}

static uint8_t cascade_input(const struct pic *p)
{
	if (p->chip[0].single)
		return 0;
	return chip_pending(&p->chip[1], 0) >= 0 ? 1u << CASCADE_IRQ : 0;
}

int pic_pending_vector(const struct pic *p)
{
	int m = chip_pending(&p->chip[0], cascade_input(p));
	if (m < 0)
		return -1;
	if (m == CASCADE_IRQ && !p->chip[0].single) {
		int s = chip_pending(&p->chip[1], 0);
		return p->chip[1].base + (s < 0 ? SPURIOUS_IR : s);
	}
	return p->chip[0].base + m;
}

static void ack_chip(struct pic_chip *c, int irq)
{
	uint8_t bit = (uint8_t)(1u << irq);
	if (!c->level)
		c->irr &= (uint8_t)~bit;   /* an edge is consumed by INTA */
	if (!c->auto_eoi)
		c->isr |= bit;
}

uint8_t pic_ack(struct pic *p)
{
	struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
	int irq = chip_pending(m, cascade_input(p));
	if (irq < 0)
		return (uint8_t)(m->base + SPURIOUS_IR);
	if (irq != CASCADE_IRQ || m->single) {
		ack_chip(m, irq);
		return (uint8_t)(m->base + irq);
	}
	int sirq = chip_pending(s, 0);
	ack_chip(m, irq);
	if (sirq < 0)   /* the master's IR2 stays in service: the OS ends it */
		return (uint8_t)(s->base + SPURIOUS_IR);
	ack_chip(s, sirq);
	return (uint8_t)(s->base + sirq);
}

void pic_set_level(struct pic *p, unsigned irq, bool high)
{
	struct pic_chip *c = &p->chip[(irq >> 3) & 1];
	uint8_t bit = (uint8_t)(1u << (irq & 7));
	if (high) {
		if (c->level || !(c->lines & bit))
			c->irr |= bit;
		c->lines |= bit;
	} else {
		c->lines &= (uint8_t)~bit;
		if (c->level)
			c->irr &= (uint8_t)~bit;
	}
}

void pic_raise(struct pic *p, unsigned irq)
{
	pic_set_level(p, irq, true);
}

void pic_lower(struct pic *p, unsigned irq)
{
	pic_set_level(p, irq, false);
}

/* ICW1 starts the sequence: IMR and ISR cleared, IRR read selected, edge
 * requests forgotten (data sheet "Initialization Command Words"). */
static void icw1(struct pic_chip *c, uint8_t v)
{
	c->level = v & ICW1_LTIM;
	c->single = v & ICW1_SNGL;
	c->icw4_needed = v & ICW1_IC4;
	c->imr = 0;
	c->isr = 0;
	c->irr = c->level ? c->lines : 0;
	c->read_isr = false;
	c->auto_eoi = false;
	c->init_step = 2;
}

static void ocw2(struct pic_chip *c, uint8_t v)
{
	switch (v >> 5) {
	case OCW2_EOI:
	case OCW2_ROTATE_EOI:   /* the highest-priority interrupt in service */
		if (c->isr)
			c->isr &= (uint8_t)(c->isr - 1);
		break;
	case OCW2_SPECIFIC_EOI:
	case OCW2_ROTATE_SPECIFIC_EOI:
		c->isr &= (uint8_t)~(1u << (v & 7));
		break;
	default:
		break;   /* rotation and priority commands: fixed priority here */
	}
}

static void write_odd(struct pic_chip *c, uint8_t v)
{
	switch (c->init_step) {
	case 2:
		c->base = v & 0xf8;
		c->init_step = c->single ? (c->icw4_needed ? 4 : 0) : 3;
		break;
	case 3:
		c->icw3 = v;
		c->init_step = c->icw4_needed ? 4 : 0;
		break;
	case 4:
		c->auto_eoi = v & ICW4_AEOI;
		c->init_step = 0;
		break;
	default:
		c->imr = v;   /* OCW1 */
		break;
	}
}

void pic_write(struct pic *p, unsigned chip, unsigned port, uint8_t v)
{
	struct pic_chip *c = &p->chip[chip & 1];
	if (port & 1)
		write_odd(c, v);
	else if (v & ICW1_INIT)
		icw1(c, v);
	else if (v & OCW3_SEL) {
		if (v & OCW3_RR)
			c->read_isr = v & OCW3_RIS;
	} else
		ocw2(c, v);
}

uint8_t pic_read(struct pic *p, unsigned chip, unsigned port)
{
	const struct pic_chip *c = &p->chip[chip & 1];
	if (port & 1)
		return c->imr;
	if (c->read_isr)
		return c->isr;
	return c->irr | ((chip & 1) ? 0 : cascade_input(p));
}
