/* The COM1 model: Linux's 8250 probe finds a 16550A, divisor latch bytes
 * are settings, not characters, lines come out whole, and the THR-empty
 * interrupt behaves as the data sheet says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "vmm/devices/uart.h"

enum { DATA, IER, IIR, LCR, MCR, LSR, MSR, SCR };

static char lines[8][UART_LINE_MAX + 1];
static int nlines;

static void capture(void *ctx, const char *text, unsigned len)
{
	assert_ptr_equal(ctx, &nlines);
	assert_true(nlines < 8);
	memcpy(lines[nlines], text, len);
	lines[nlines++][len] = 0;
}

static struct uart u;

static int setup(void **state)
{
	(void)state;
	nlines = 0;
	memset(lines, 0, sizeof(lines));
	uart_init(&u, capture, &nlines);
	return 0;
}

static void put(const char *s)
{
	while (*s)
		uart_write(&u, DATA, (uint8_t)*s++);
}

/* serial8250's autoconfig: IER keeps its low four bits, the loopback
 * test sees DCD and CTS from OUT2 and RTS, the FIFO enable shows in IIR
 * bits 7:6 (a 16550A), and the scratch register keeps what it is given. */
static void test_linux_probe_finds_a_16550a(void **state)
{
	(void)state;
	uart_write(&u, IER, 0);
	assert_int_equal(uart_read(&u, IER) & 0x0f, 0);
	uart_write(&u, IER, 0x0f);
	assert_int_equal(uart_read(&u, IER) & 0x0f, 0x0f);
	uart_write(&u, IER, 0);
	uart_write(&u, MCR, 0x10 | 0x0a);
	assert_int_equal(uart_read(&u, MSR) & 0xf0, 0x90);
	uart_write(&u, MCR, 0);
	uart_write(&u, IIR, 0x01);
	assert_int_equal(uart_read(&u, IIR) >> 6, 3);
	uart_write(&u, SCR, 0xa5);
	assert_int_equal(uart_read(&u, SCR), 0xa5);
	uart_write(&u, SCR, 0x5a);
	assert_int_equal(uart_read(&u, SCR), 0x5a);
	assert_int_equal(nlines, 0);
}

/* serial8250_do_startup's THRE test: enabling THRI twice must show a
 * THR-empty interrupt in IIR both times, or Linux marks the port
 * UART_BUG_THRE and polls it from a timer; and with OUT2 the TX-enable
 * test sees it too. */
static void test_linux_startup_sees_thre_interrupts(void **state)
{
	(void)state;
	uart_write(&u, LCR, 0x03);
	uart_write(&u, IER, 0x02);
	assert_int_equal(uart_read(&u, IIR) & 0x0f, 0x02);
	uart_write(&u, IER, 0);
	uart_write(&u, IER, 0x02);
	assert_int_equal(uart_read(&u, IIR) & 0x0f, 0x02);
	uart_write(&u, IER, 0);
	uart_write(&u, MCR, 0x0b);                    /* DTR, RTS, OUT2 */
	uart_write(&u, IER, 0x02);
	assert_int_equal(uart_read(&u, LSR) & 0x40, 0x40);
	assert_true(uart_irq(&u));
	assert_int_equal(uart_read(&u, IIR) & 0x0f, 0x02);
	uart_write(&u, IER, 0);
}

static void test_lsr_says_transmitter_empty_always(void **state)
{
	(void)state;
	assert_int_equal(uart_read(&u, LSR), 0x60);
	put("abc");
	assert_int_equal(uart_read(&u, LSR), 0x60);
}

static void test_divisor_latch_bytes_are_not_characters(void **state)
{
	(void)state;
	uart_write(&u, LCR, 0x80);
	uart_write(&u, DATA, 0x01);   /* 115200 baud */
	uart_write(&u, IER, 0x00);
	assert_int_equal(uart_read(&u, DATA), 0x01);
	assert_int_equal(uart_read(&u, IER), 0x00);
	uart_write(&u, LCR, 0x03);    /* 8N1, DLAB off */
	assert_int_equal(uart_read(&u, IER), 0);
	put("ok\n");
	uart_write(&u, LCR, 0x83);
	assert_int_equal(uart_read(&u, DATA), 0x01);
	assert_int_equal(nlines, 1);
	assert_string_equal(lines[0], "ok");
}

static void test_lines_drop_carriage_returns(void **state)
{
	(void)state;
	put("Linux version 6.1\r\nsecond\r\n");
	assert_int_equal(nlines, 2);
	assert_string_equal(lines[0], "Linux version 6.1");
	assert_string_equal(lines[1], "second");
}

static void test_long_line_is_cut_and_partial_line_flushed(void **state)
{
	(void)state;
	for (int i = 0; i < UART_LINE_MAX + 5; i++)
		uart_write(&u, DATA, 'x');
	assert_int_equal(nlines, 1);
	assert_int_equal(strlen(lines[0]), UART_LINE_MAX);
	uart_flush(&u);
	assert_int_equal(nlines, 2);
	assert_string_equal(lines[1], "xxxxx");
	uart_flush(&u);
	assert_int_equal(nlines, 2);   /* nothing left to hand out */
}

static void test_loopback_bytes_come_back_and_go_nowhere(void **state)
{
	(void)state;
	uart_write(&u, MCR, 0x10);
	uart_write(&u, DATA, 'Q');
	assert_int_equal(uart_read(&u, LSR) & 1, 1);
	assert_int_equal(uart_read(&u, DATA), 'Q');
	assert_int_equal(uart_read(&u, LSR) & 1, 0);
	uart_write(&u, MCR, 0);
	uart_flush(&u);
	assert_int_equal(nlines, 0);
}

/* With IER's THRI set and THR empty, IIR says "THR empty" (id 2) and the
 * line is up while OUT2 lets it through; reading IIR clears it, and the
 * next character, sent at once, raises it again. */
static void test_thr_empty_interrupt_on_irq4(void **state)
{
	(void)state;
	assert_false(uart_irq(&u));
	assert_int_equal(uart_read(&u, IIR), 0x01);
	uart_write(&u, IER, 0x02);
	assert_false(uart_irq(&u));   /* OUT2 low: the PC's line driver is off */
	uart_write(&u, MCR, 0x08);
	assert_true(uart_irq(&u));
	assert_int_equal(uart_read(&u, IIR), 0x02);
	assert_false(uart_irq(&u));
	assert_int_equal(uart_read(&u, IIR), 0x01);
	uart_write(&u, DATA, 'a');
	assert_true(uart_irq(&u));
	uart_write(&u, IER, 0);
	assert_false(uart_irq(&u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_linux_probe_finds_a_16550a, setup),
		cmocka_unit_test_setup(test_linux_startup_sees_thre_interrupts, setup),
		cmocka_unit_test_setup(test_lsr_says_transmitter_empty_always, setup),
		cmocka_unit_test_setup(test_divisor_latch_bytes_are_not_characters, setup),
		cmocka_unit_test_setup(test_lines_drop_carriage_returns, setup),
		cmocka_unit_test_setup(test_long_line_is_cut_and_partial_line_flushed, setup),
		cmocka_unit_test_setup(test_loopback_bytes_come_back_and_go_nowhere, setup),
		cmocka_unit_test_setup(test_thr_empty_interrupt_on_irq4, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
