/* COM1 16550 UART: 115200 8N1, no interrupts, polled transmit. */
#include "arch/x86/serial.h"
#include "arch/x86/cpu.h"

#define COM1 0x3f8
#define LSR_THR_EMPTY 0x20
#define LSR_TX_IDLE   0x40

void serial_init(void)
{
	outb(COM1 + 1, 0x00);  /* no interrupts */
	outb(COM1 + 3, 0x80);  /* DLAB on */
	outb(COM1 + 0, 0x01);  /* divisor 1: 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);  /* 8N1, DLAB off */
	outb(COM1 + 2, 0xc7);  /* FIFO on, cleared */
	outb(COM1 + 4, 0x03);  /* DTR, RTS */
}

static void serial_putc(char c)
{
	while (!(inb(COM1 + 5) & LSR_THR_EMPTY))
		;
	outb(COM1, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		serial_putc(s[i]);
}

void serial_flush(void)
{
	for (unsigned i = 0; i < 10000000 && !(inb(COM1 + 5) & LSR_TX_IDLE); i++)
		;
}
