/* The MC146818 real-time clock and CMOS RAM behind ports 0x70 (index)
 * and 0x71 (data), read-only, as a VM sees them. Pure C.
 *
 * The time and date registers read a fixed time, the one given to
 * cmos_init, in BCD and 24-hour form (status register B says so).
 * Status A has the standard 32.768 kHz divider and 1024 Hz rate and no
 * update in progress; C no pending interrupt flag; D valid RAM and time.
 * Every write to 0x71 is ignored, and so is the NMI-disable bit (bit 7)
 * of the index. Other RAM bytes read 0. */
#ifndef VMM_DEVICES_CMOS_H
#define VMM_DEVICES_CMOS_H
#include <stdint.h>

struct cmos_time {
	uint16_t year;          /* e.g. 2024; the century register has its top */
	uint8_t month, day;     /* 1-12, 1-31 */
	uint8_t weekday;        /* 1-7, Sunday = 1 */
	uint8_t hour, min, sec;
};

struct cmos {
	uint8_t index;
	uint8_t ram[128];
};

void cmos_init(struct cmos *c, const struct cmos_time *t);
uint8_t cmos_read(struct cmos *c, unsigned port);    /* port: 0 (0x70) or 1 (0x71) */
void cmos_write(struct cmos *c, unsigned port, uint8_t v);

#endif
