/* A 16550A UART as a VM sees it: the registers Linux's 8250 driver
 * probes and drives, a transmitter that is always empty (a character
 * goes out at once) and the IRQ line as a level. Pure C.
 *
 * Characters written to THR (DLAB=0, not in loopback) are collected into
 * lines; a full line, or a line of UART_LINE_MAX bytes, is handed to the
 * output callback. Carriage returns are dropped, so Linux's "\r\n" ends
 * a line the way the tiny guests' "\n" does. Divisor latch bytes
 * (DLAB=1) are settings, never characters. */
#ifndef VMM_DEVICES_UART_H
#define VMM_DEVICES_UART_H
#include <stdbool.h>
#include <stdint.h>

#define UART_LINE_MAX 120   /* as long as struct vm's own line (vm->out) */

/* One finished line of a VM's output, without its newline. */
typedef void uart_line_fn(void *ctx, const char *text, unsigned len);

struct uart {
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	uint8_t rbr;            /* the last byte looped back */
	bool rx_ready;          /* LSR.DR: a looped-back byte waits in RBR */
	bool thre_pending;      /* the THR-empty interrupt is asserted */
	char line[UART_LINE_MAX];
	unsigned len;
	uart_line_fn *out;
	void *ctx;
};

void uart_init(struct uart *u, uart_line_fn *out, void *ctx);
/* reg: the offset from the base port, 0..7. */
uint8_t uart_read(struct uart *u, unsigned reg);
void uart_write(struct uart *u, unsigned reg, uint8_t v);
/* The IRQ line's level (IRQ4 for COM1): an interrupt is identified in
 * IIR and OUT2 (MCR bit 3) lets the PC's line driver pass it. */
bool uart_irq(const struct uart *u);
/* Hands a partial line to the output callback (at the VM's end). */
void uart_flush(struct uart *u);

#endif
