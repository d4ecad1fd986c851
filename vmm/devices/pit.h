/* The 8254 programmable interval timer (ports 0x40-0x43) and port 0x61's
 * timer bits, as a VM sees them. Pure C.
 *
 * Time comes from a TSC-like counter that the caller passes (`now`) and
 * its frequency (`tsc_hz`): the PIT counts at 1.193182 MHz from the
 * moment a count is loaded. Modelled: modes 0 (interrupt on terminal
 * count), 2 (rate generator) and 3 (square wave); 1 and 5 count like 0,
 * 4 like 0, 6 and 7 are 2 and 3 (the data sheet's aliases); lobyte,
 * hibyte and lobyte-then-hibyte access; the counter latch and read-back
 * commands; channel 2's gate (port 0x61 bit 0) and OUT2 (bit 5). BCD
 * counting is taken as binary. Channel 0's OUT drives IRQ0. */
#ifndef VMM_DEVICES_PIT_H
#define VMM_DEVICES_PIT_H
#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ 1193182u

struct pit_channel {
	uint8_t mode, access;   /* control word: mode 0-5, access 1-3 */
	uint32_t reload;        /* the count loaded, 1..65536 */
	uint64_t start;         /* `now` when counting began */
	bool counting;          /* a count is loaded and the gate is high */
	uint32_t held;          /* mode 0: the count counting began from;
				   stopped: the count held */
	bool out_held;          /* mode 0: OUT went high before the count
				   counting began from (held by the gate) */
	bool write_hi;          /* lo/hi access: the high byte comes next */
	uint8_t write_lo;
	bool read_hi;           /* lo/hi access: the high byte is read next */
	bool latched;           /* a latched count waits to be read */
	uint16_t latch;
	bool latched_hi;        /* of the latched count, the high byte is next */
	bool status_latched;
	uint8_t status;
	bool gate;
};

struct pit {
	struct pit_channel ch[3];
	uint64_t tsc_hz;
	uint8_t port61;          /* bits 0-3 as written */
	uint64_t irq0_seen;      /* IRQ0 periods already reported */
};

void pit_init(struct pit *p, uint64_t tsc_hz);
/* reg: 0-2 a channel's counter, 3 the control word (write only). */
uint8_t pit_read(struct pit *p, unsigned reg, uint64_t now);
void pit_write(struct pit *p, unsigned reg, uint8_t v, uint64_t now);
uint8_t pit_read_port61(struct pit *p, uint64_t now);
void pit_write_port61(struct pit *p, uint8_t v, uint64_t now);

/* PIT input clock ticks since `since` (both TSC values). */
uint64_t pit_ticks(const struct pit *p, uint64_t since, uint64_t now);
/* A channel's OUT level now. */
bool pit_out(const struct pit *p, unsigned ch, uint64_t now);
/* Whether channel 0 has raised IRQ0 since the last call that said so:
 * in modes 2 and 3 once per period (periods missed meanwhile are folded
 * into one), in mode 0 once at the terminal count. */
bool pit_irq0_due(struct pit *p, uint64_t now);
/* The TSC value at which channel 0 raises the IRQ0 that pit_irq0_due
 * has not reported yet (it may be past), or UINT64_MAX when none comes. */
uint64_t pit_irq0_next(const struct pit *p);

#endif
