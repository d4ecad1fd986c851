/* The read-only RTC: register indices and status bits as in the
 * Motorola MC146818 data sheet ("Address Map", "Register A-D"); the
 * century byte at 0x32 is the PC/AT's. */
#include "vmm/devices/cmos.h"

enum {
	RTC_SEC = 0x00, RTC_MIN = 0x02, RTC_HOUR = 0x04, RTC_WEEKDAY = 0x06,
	RTC_DAY = 0x07, RTC_MONTH = 0x08, RTC_YEAR = 0x09,
	RTC_REG_A = 0x0a, RTC_REG_B = 0x0b, RTC_REG_C = 0x0c, RTC_REG_D = 0x0d,
	RTC_CENTURY = 0x32,
};

#define REG_A_DIVIDER_32K 0x20   /* DV2-0 = 010: the 32.768 kHz time base */
#define REG_A_RATE_1024HZ 0x06   /* RS3-0 = 0110; UIP (bit 7) stays 0 */
#define REG_B_24H         0x02   /* 24-hour mode; DM (bit 2) = 0: BCD */
#define REG_D_VRT         0x80   /* valid RAM and time */
#define INDEX_MASK        0x7f   /* bit 7 of the index disables NMI */

static uint8_t bcd(unsigned v)
{
	return (uint8_t)((v / 10 % 10) << 4 | v % 10);
}

void cmos_init(struct cmos *c, const struct cmos_time *t)
{
	*c = (struct cmos){ 0 };
	c->ram[RTC_SEC] = bcd(t->sec);
	c->ram[RTC_MIN] = bcd(t->min);
	c->ram[RTC_HOUR] = bcd(t->hour);
	c->ram[RTC_WEEKDAY] = bcd(t->weekday);
	c->ram[RTC_DAY] = bcd(t->day);
	c->ram[RTC_MONTH] = bcd(t->month);
	c->ram[RTC_YEAR] = bcd(t->year % 100);
	c->ram[RTC_CENTURY] = bcd(t->year / 100);
	c->ram[RTC_REG_A] = REG_A_DIVIDER_32K | REG_A_RATE_1024HZ;
	c->ram[RTC_REG_B] = REG_B_24H;
	c->ram[RTC_REG_C] = 0;
	c->ram[RTC_REG_D] = REG_D_VRT;
}

uint8_t cmos_read(struct cmos *c, unsigned port)
{
	if (!(port & 1))
		return 0xff;   /* the index register is write-only */
	return c->ram[c->index];
}

void cmos_write(struct cmos *c, unsigned port, uint8_t v)
{
	if (!(port & 1))
		c->index = v & INDEX_MASK;
}
