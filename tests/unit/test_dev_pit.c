/* The 8254 model timed from a TSC: mode 2's period and IRQ0, the latch
 * and read-back commands, Linux's channel-2 calibration through port
 * 0x61, mode 3's square wave, and the tick arithmetic at large TSCs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "vmm/devices/pit.h"

#define TSC_HZ 2400000000ull
#define T0     1000000007ull    /* an arbitrary start */
#define LATCH  11932            /* Linux's 100 Hz count: (PIT_HZ + 50) / 100 */
static struct pit p;

static int setup(void **state)
{
	(void)state;
	pit_init(&p, TSC_HZ);
	return 0;
}

/* The TSC after k PIT ticks from T0, rounded up. */
static uint64_t at(uint64_t k)
{
	return T0 + (k * TSC_HZ + PIT_HZ - 1) / PIT_HZ;
}

static uint16_t read16(unsigned ch, uint64_t now)
{
	uint8_t lo = pit_read(&p, ch, now);
	return (uint16_t)(lo | pit_read(&p, ch, now) << 8);
}

static void program(unsigned ch, uint8_t mode, uint16_t count, uint64_t now)
{
	pit_write(&p, 3, (uint8_t)(ch << 6 | 0x30 | mode << 1), now);
	pit_write(&p, ch, (uint8_t)count, now);
	pit_write(&p, ch, (uint8_t)(count >> 8), now);
}

static void test_mode2_raises_irq0_once_a_period(void **state)
{
	(void)state;
	program(0, 2, LATCH, T0);
	assert_false(pit_irq0_due(&p, T0));
	uint64_t first = pit_irq0_next(&p);
	assert_int_equal(first, at(LATCH));
	assert_false(pit_irq0_due(&p, first - 1));
	assert_true(pit_irq0_due(&p, first));
	assert_false(pit_irq0_due(&p, first + 1));
	assert_int_equal(pit_irq0_next(&p), at(2 * LATCH));
	assert_true(pit_irq0_due(&p, at(5 * LATCH) + 3));   /* missed ones fold */
	assert_false(pit_irq0_due(&p, at(5 * LATCH) + 4));
	assert_int_equal(pit_irq0_next(&p), at(6 * LATCH));
}

static void test_mode2_count_runs_down_and_reloads(void **state)
{
	(void)state;
	program(0, 2, LATCH, T0);
	assert_int_equal(read16(0, T0), LATCH);
	assert_int_equal(read16(0, at(100)), LATCH - 100);
	assert_int_equal(read16(0, at(LATCH - 1)), 1);
	assert_int_equal(read16(0, at(LATCH)), LATCH);
	assert_int_equal(read16(0, at(LATCH + 7)), LATCH - 7);
}

static void test_latch_holds_the_count_until_both_bytes_are_read(void **state)
{
	(void)state;
	program(0, 2, LATCH, T0);
	pit_write(&p, 3, 0x00, at(500));                    /* latch channel 0 */
	pit_write(&p, 3, 0x00, at(900));                    /* ignored: one is held */
	assert_int_equal(pit_read(&p, 0, at(1000)), (uint8_t)(LATCH - 500));
	assert_int_equal(pit_read(&p, 0, at(2000)), (LATCH - 500) >> 8);
	assert_int_equal(read16(0, at(3000)), LATCH - 3000); /* live again */
}

static void test_read_back_latches_status_then_count(void **state)
{
	(void)state;
	program(0, 2, LATCH, T0);
	pit_write(&p, 3, 0xc2, at(10));                     /* count and status, ch 0 */
	assert_int_equal(pit_read(&p, 0, at(20)), 0x80 | 0x30 | 2 << 1);
	assert_int_equal(read16(0, at(30)), LATCH - 10);
}

/* quick_pit_calibrate: gate 2 on, speaker off, channel 2 in mode 0 from
 * 0xffff; the MSB falls by one every 256 ticks and OUT2 (0x61 bit 5) is
 * low until the count ends. */
static void test_linux_channel2_calibration(void **state)
{
	(void)state;
	pit_write_port61(&p, (uint8_t)((pit_read_port61(&p, T0) & ~0x02) | 0x01), T0);
	pit_write(&p, 3, 0xb0, T0);
	pit_write(&p, 2, 0xff, T0);
	pit_write(&p, 2, 0xff, T0);
	assert_int_equal(pit_read_port61(&p, T0) & 0x21, 0x01);
	pit_read(&p, 2, at(256 * 3));                       /* the LSB */
	assert_int_equal(pit_read(&p, 2, at(256 * 3)), 0xff - 3);
	pit_read(&p, 2, at(256 * 10));
	assert_int_equal(pit_read(&p, 2, at(256 * 10)), 0xff - 10);
	assert_int_equal(pit_read_port61(&p, at(0xfffe)) & 0x20, 0);
	assert_int_equal(pit_read_port61(&p, at(0xffff)) & 0x20, 0x20);
}

static void test_gate2_low_holds_the_mode0_count(void **state)
{
	(void)state;
	pit_write_port61(&p, 0x01, T0);
	program(2, 0, 1000, T0);
	pit_write_port61(&p, 0x00, at(100));
	assert_int_equal(read16(2, at(600)), 900);
	pit_write_port61(&p, 0x01, at(600));
	assert_int_equal(read16(2, at(700)), 800);
	assert_int_equal(pit_read_port61(&p, at(1499)) & 0x20, 0);
	assert_int_equal(pit_read_port61(&p, at(1500)) & 0x20, 0x20);
	pit_write_port61(&p, 0x00, at(1600));              /* held after the end */
	pit_write_port61(&p, 0x01, at(1700));
	assert_int_equal(pit_read_port61(&p, at(1701)) & 0x20, 0x20);
	pit_write(&p, 2, 0x10, at(2000));                  /* a new count: low again */
	pit_write(&p, 2, 0x00, at(2000));
	assert_int_equal(pit_read_port61(&p, at(2001)) & 0x20, 0);
}

static void test_mode3_square_wave(void **state)
{
	(void)state;
	program(0, 3, 100, T0);
	assert_true(pit_out(&p, 0, at(0)));
	assert_true(pit_out(&p, 0, at(49)));
	assert_false(pit_out(&p, 0, at(50)));
	assert_false(pit_out(&p, 0, at(99)));
	assert_true(pit_out(&p, 0, at(100)));
	assert_int_equal(read16(0, at(10)), 80);
	assert_true(pit_irq0_due(&p, at(100)));
}

static void test_mode0_on_channel0_interrupts_once(void **state)
{
	(void)state;
	program(0, 0, 500, T0);
	assert_false(pit_out(&p, 0, at(499)));
	assert_false(pit_irq0_due(&p, at(499)));
	assert_true(pit_irq0_due(&p, at(500)));
	assert_false(pit_irq0_due(&p, at(5000)));
	assert_int_equal(pit_irq0_next(&p), UINT64_MAX);
}

/* Linux's one-shot PIT clock event: control word 0x38 (mode 4, run as
 * mode 0), then each event's count: one IRQ0 at its end, none after. */
static void test_linux_oneshot_mode4_interrupts_once_per_count(void **state)
{
	(void)state;
	pit_write(&p, 3, 0x38, T0);
	pit_write(&p, 0, 1000 & 0xff, T0);
	pit_write(&p, 0, 1000 >> 8, T0);
	assert_int_equal(pit_irq0_next(&p), at(1000));
	assert_true(pit_irq0_due(&p, at(1000)));
	assert_int_equal(pit_irq0_next(&p), UINT64_MAX);
	pit_write(&p, 0, 200, at(3000));
	pit_write(&p, 0, 0, at(3000));
	assert_false(pit_irq0_due(&p, at(3199)));
	assert_true(pit_irq0_due(&p, at(3200)));
}

static void test_ticks_exact_at_large_tsc(void **state)
{
	(void)state;
	uint64_t big = 1ull << 62;
	assert_int_equal(pit_ticks(&p, big, big + TSC_HZ), PIT_HZ);
	assert_int_equal(pit_ticks(&p, big, big + 3 * TSC_HZ + TSC_HZ / 2), 3 * PIT_HZ + PIT_HZ / 2);
	assert_int_equal(pit_ticks(&p, big, big - 5), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mode2_raises_irq0_once_a_period, setup),
		cmocka_unit_test_setup(test_mode2_count_runs_down_and_reloads, setup),
		cmocka_unit_test_setup(test_latch_holds_the_count_until_both_bytes_are_read, setup),
		cmocka_unit_test_setup(test_read_back_latches_status_then_count, setup),
		cmocka_unit_test_setup(test_linux_channel2_calibration, setup),
		cmocka_unit_test_setup(test_gate2_low_holds_the_mode0_count, setup),
		cmocka_unit_test_setup(test_mode3_square_wave, setup),
		cmocka_unit_test_setup(test_mode0_on_channel0_interrupts_once, setup),
		cmocka_unit_test_setup(test_linux_oneshot_mode4_interrupts_once_per_count, setup),
		cmocka_unit_test_setup(test_ticks_exact_at_large_tsc, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
