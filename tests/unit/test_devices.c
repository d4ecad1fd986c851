/* The port map: every port answers (devices, stubs, absent), wide
 * accesses are split by byte, resets stop the VM by name, COM1's lines
 * reach the composition's callback, and the interrupt lines of COM1 and
 * the PIT reach the PIC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "vmm/devices/devices.h"

#define TSC_HZ 1000000000ull
static struct vm_devices d;
static uint64_t clock_now;
static char line[UART_LINE_MAX + 1];
static int nlines;

static void on_line(void *ctx, const char *text, unsigned len)
{
	assert_ptr_equal(ctx, &d);
	memcpy(line, text, len);
	line[len] = 0;
	nlines++;
}

static uint64_t now(void *ctx)
{
	assert_ptr_equal(ctx, &d);
	return clock_now;
}

static int setup(void **state)
{
	(void)state;
	const struct devices_host host = { .line = on_line, .now = now, .ctx = &d,
					   .tsc_hz = TSC_HZ, .time = { .year = 2030, .month = 1, .day = 1 } };
	clock_now = 5000;
	nlines = 0;
	devices_init(&d, &host);
	return 0;
}

static uint32_t in(uint16_t port, unsigned size)
{
	uint32_t v = 0x12345678;
	assert_int_equal(devices_io(&d, port, size, true, &v), DEVICES_OK);
	return v;
}

static enum devices_verdict out(uint16_t port, unsigned size, uint32_t v)
{
	return devices_io(&d, port, size, false, &v);
}

static void test_absent_ports_read_all_ones_and_ignore_writes(void **state)
{
	(void)state;
	assert_int_equal(out(0x2f8, 1, 'x'), DEVICES_OK);
	assert_int_equal(in(0x2f8, 1), 0xff);
	assert_int_equal(in(0x3e8, 2), 0xffff);
	assert_int_equal(in(0x2e8, 4), 0xffffffff);
	assert_int_equal(in(0xed, 1), 0xff);
	assert_string_equal(devices_name(0x2f8), "absent");
	assert_string_equal(devices_name(0x3fd), "com1");
	assert_int_equal(nlines, 0);
}

/* serial8250's first test on COM2-4: IER written 0 must read back 0. */
static void test_com2_to_com4_fail_linux_ier_probe(void **state)
{
	(void)state;
	const uint16_t base[] = { 0x2f8, 0x3e8, 0x2e8 };
	for (int i = 0; i < 3; i++) {
		out(base[i] + 1, 1, 0);
		assert_int_not_equal(in(base[i] + 1, 1) & 0x0f, 0);
	}
	out(0x3f9, 1, 0);
	assert_int_equal(in(0x3f9, 1) & 0x0f, 0);
}

static void test_com1_lines_reach_the_callback(void **state)
{
	(void)state;
	const char *s = "Booting\r\nrest";
	for (; *s; s++)
		assert_int_equal(out(0x3f8, 1, (uint8_t)*s), DEVICES_OK);
	assert_int_equal(nlines, 1);
	assert_string_equal(line, "Booting");
	devices_flush(&d);
	assert_int_equal(nlines, 2);
	assert_string_equal(line, "rest");
}

static void test_wide_access_is_split_by_byte(void **state)
{
	(void)state;
	out(0x21, 1, 0xfb);
	assert_int_equal(in(0x20, 2), 0xfb00);            /* IRR 0, IMR 0xfb */
	assert_int_equal(in(0x3ff, 2) >> 8, 0xff);        /* past COM1: absent */
	out(0x3d4, 2, 0x5a0e);                            /* index 0x0e, data 0x5a */
	assert_int_equal(in(0x3d5, 1), 0x5a);
	assert_int_equal(in(0x3d4, 1), 0x0e);
}

/* Linux's i8042_flush gives up after 16 bytes with OBF still set ("No
 * controller found"); its reset path waits for IBF clear. */
static void test_i8042_fails_linux_flush_and_its_reset_stops_the_vm(void **state)
{
	(void)state;
	for (int i = 0; i < 17; i++) {
		assert_int_equal(in(0x64, 1) & 0x03, 0x01);   /* OBF set, IBF clear */
		in(0x60, 1);
	}
	assert_int_equal(out(0x64, 1, 0xaa), DEVICES_OK);
	assert_null(devices_stop_why(&d));
	assert_int_equal(out(0x64, 1, 0xfe), DEVICES_STOP);
	assert_string_equal(devices_stop_why(&d), "i8042 reset (0xfe to port 0x64)");
}

static void test_pci_has_no_devices_and_0xcf9_reset_stops(void **state)
{
	(void)state;
	assert_int_equal(out(0xcf8, 4, 0x80000000), DEVICES_OK);
	assert_int_equal(in(0xcf8, 4), 0x80000000);
	assert_int_equal(in(0xcfc, 4), 0xffffffff);
	assert_int_equal(in(0xcfe, 2), 0xffff);
	assert_int_equal(out(0xcf9, 1, 0x02), DEVICES_OK);
	assert_int_equal(out(0xcf9, 1, 0x06), DEVICES_STOP);
	assert_string_equal(devices_stop_why(&d), "reset through port 0xcf9");
}

static void test_port80_and_cmos_answer(void **state)
{
	(void)state;
	assert_int_equal(out(0x80, 1, 0x55), DEVICES_OK);
	out(0x70, 1, 0x89);                               /* NMI off, year */
	assert_int_equal(in(0x71, 1), 0x30);
}

static void linux_pic_init(void)
{
	const uint8_t seq[][2] = { { 0x21, 0xff }, { 0xa1, 0xff }, { 0x20, 0x11 }, { 0x21, 0x30 },
				   { 0x21, 0x04 }, { 0x21, 0x01 }, { 0xa0, 0x11 }, { 0xa1, 0x38 },
				   { 0xa1, 0x02 }, { 0xa1, 0x01 }, { 0x21, 0xfa }, { 0xa1, 0xff } };
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		out(seq[i][0], 1, seq[i][1]);
}

/* 100 Hz from the PIT in mode 2: no vector before the period ends, 0x30
 * after it, and not again until the next period. */
static void test_pit_period_becomes_vector_0x30(void **state)
{
	(void)state;
	linux_pic_init();
	out(0x43, 1, 0x34);
	out(0x40, 1, 11932 & 0xff);
	out(0x40, 1, 11932 >> 8);
	assert_int_equal(devices_pending_vector(&d), -1);
	uint64_t next = devices_next_timer(&d);
	assert_int_equal(next, 5000 + (11932 * TSC_HZ + PIT_HZ - 1) / PIT_HZ);
	clock_now = next;
	assert_int_equal(devices_pending_vector(&d), 0x30);
	assert_int_equal(devices_ack(&d), 0x30);
	out(0x20, 1, 0x60);
	assert_int_equal(devices_pending_vector(&d), -1);
}

static void test_com1_thr_empty_becomes_vector_0x34(void **state)
{
	(void)state;
	linux_pic_init();
	out(0x21, 1, 0xea);                               /* unmask IRQ4 too */
	out(0x3fc, 1, 0x08);                              /* OUT2 */
	out(0x3f9, 1, 0x02);                              /* THRI */
	assert_int_equal(devices_pending_vector(&d), 0x34);
	assert_int_equal(devices_ack(&d), 0x34);
	assert_int_equal(in(0x3fa, 1) & 0x0f, 0x02);      /* IIR: THR empty */
	out(0x20, 1, 0x64);
	assert_int_equal(devices_pending_vector(&d), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_absent_ports_read_all_ones_and_ignore_writes, setup),
		cmocka_unit_test_setup(test_com2_to_com4_fail_linux_ier_probe, setup),
		cmocka_unit_test_setup(test_com1_lines_reach_the_callback, setup),
		cmocka_unit_test_setup(test_wide_access_is_split_by_byte, setup),
		cmocka_unit_test_setup(test_i8042_fails_linux_flush_and_its_reset_stops_the_vm, setup),
		cmocka_unit_test_setup(test_pci_has_no_devices_and_0xcf9_reset_stops, setup),
		cmocka_unit_test_setup(test_port80_and_cmos_answer, setup),
		cmocka_unit_test_setup(test_pit_period_becomes_vector_0x30, setup),
		cmocka_unit_test_setup(test_com1_thr_empty_becomes_vector_0x34, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
