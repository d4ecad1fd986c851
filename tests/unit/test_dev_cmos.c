/* The read-only RTC: the given time in BCD, sane status registers, the
 * NMI-disable bit of the index ignored, writes ignored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "vmm/devices/cmos.h"

static struct cmos c;

static int setup(void **state)
{
	(void)state;
	const struct cmos_time t = { .year = 2031, .month = 12, .day = 9, .weekday = 3,
				     .hour = 23, .min = 58, .sec = 7 };
	cmos_init(&c, &t);
	return 0;
}

static uint8_t reg(uint8_t index)
{
	cmos_write(&c, 0, index);
	return cmos_read(&c, 1);
}

static void test_time_and_date_in_bcd(void **state)
{
	(void)state;
	assert_int_equal(reg(0x00), 0x07);
	assert_int_equal(reg(0x02), 0x58);
	assert_int_equal(reg(0x04), 0x23);
	assert_int_equal(reg(0x06), 0x03);
	assert_int_equal(reg(0x07), 0x09);
	assert_int_equal(reg(0x08), 0x12);
	assert_int_equal(reg(0x09), 0x31);
	assert_int_equal(reg(0x32), 0x20);
}

/* A: no update in progress (UIP, bit 7, clear) with the 32.768 kHz base;
 * B: 24-hour BCD, no interrupts enabled; C: no flags; D: valid RAM. */
static void test_status_registers(void **state)
{
	(void)state;
	assert_int_equal(reg(0x0a), 0x26);
	assert_int_equal(reg(0x0b), 0x02);
	assert_int_equal(reg(0x0c), 0x00);
	assert_int_equal(reg(0x0d), 0x80);
}

static void test_nmi_disable_bit_is_ignored(void **state)
{
	(void)state;
	assert_int_equal(reg(0x80 | 0x04), 0x23);
	assert_int_equal(reg(0x80 | 0x0d), 0x80);
}

static void test_writes_change_nothing(void **state)
{
	(void)state;
	cmos_write(&c, 0, 0x0b);
	cmos_write(&c, 1, 0x40);   /* periodic interrupt enable: refused */
	assert_int_equal(reg(0x0b), 0x02);
	cmos_write(&c, 0, 0x00);
	cmos_write(&c, 1, 0x59);
	assert_int_equal(reg(0x00), 0x07);
	assert_int_equal(reg(0x40), 0x00);   /* RAM outside the clock reads 0 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_time_and_date_in_bcd, setup),
		cmocka_unit_test_setup(test_status_registers, setup),
		cmocka_unit_test_setup(test_nmi_disable_bit_is_ignored, setup),
		cmocka_unit_test_setup(test_writes_change_nothing, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
