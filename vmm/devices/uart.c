/* The 16550A UART model: register offsets and bits as in the National
 * Semiconductor PC16550D data sheet (the 8250 family's common layout). */
#include "vmm/devices/uart.h"

enum {
	REG_DATA = 0,   /* RBR (read) / THR (write); DLL when DLAB=1 */
	REG_IER = 1,    /* DLM when DLAB=1 */
	REG_IIR = 2,    /* IIR (read) / FCR (write) */
	REG_LCR = 3,
	REG_MCR = 4,
	REG_LSR = 5,
	REG_MSR = 6,
	REG_SCR = 7,
};

#define IER_RDI    0x01   /* received data available */
#define IER_THRI   0x02   /* THR empty */
#define IER_MASK   0x0f
#define IIR_NONE   0x01
#define IIR_THRI   0x02
#define IIR_RDI    0x04
#define IIR_FIFO   0xc0   /* FIFOs enabled */
#define FCR_ENABLE 0x01
#define LCR_DLAB   0x80
#define MCR_DTR    0x01
#define MCR_RTS    0x02
#define MCR_OUT1   0x04
#define MCR_OUT2   0x08
#define MCR_LOOP   0x10
#define MCR_MASK   0x1f
#define LSR_DR     0x01
#define LSR_THRE   0x20
#define LSR_TEMT   0x40
#define MSR_CTS    0x10
#define MSR_DSR    0x20
#define MSR_RI     0x40
#define MSR_DCD    0x80

void uart_init(struct uart *u, uart_line_fn *out, void *ctx)
{
	*u = (struct uart){ .out = out, .ctx = ctx };
}

void uart_flush(struct uart *u)
{
	if (!u->len)
		return;
	if (u->out)
		u->out(u->ctx, u->line, u->len);
	u->len = 0;
}

static void emit(struct uart *u, char ch)
{
	if (ch == '\r')
		return;
	if (ch == '\n') {
		uart_flush(u);
		return;
	}
	u->line[u->len++] = ch;
	if (u->len == sizeof(u->line))
		uart_flush(u);
}

/* The pending interrupt of highest priority (data sheet Table IV):
 * received data before THR empty; line and modem status never rise. */
static uint8_t iir_id(const struct uart *u)
{
	if ((u->ier & IER_RDI) && u->rx_ready)
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thre_pending)
		return IIR_THRI;
	return IIR_NONE;
}

bool uart_irq(const struct uart *u)
{
	return iir_id(u) != IIR_NONE && (u->mcr & MCR_OUT2);
}

/* In loopback the modem control outputs drive the modem status inputs:
 * DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. Otherwise a modem that is
 * present and ready: DCD, DSR and CTS. */
static uint8_t msr(const struct uart *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	uint8_t v = 0;
	v |= (u->mcr & MCR_DTR) ? MSR_DSR : 0;
	v |= (u->mcr & MCR_RTS) ? MSR_CTS : 0;
	v |= (u->mcr & MCR_OUT1) ? MSR_RI : 0;
	v |= (u->mcr & MCR_OUT2) ? MSR_DCD : 0;
	return v;
}

uint8_t uart_read(struct uart *u, unsigned reg)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (reg & 7) {
	case REG_DATA:
		if (dlab)
			return u->dll;
		u->rx_ready = false;
		return u->rbr;
	case REG_IER:
		return dlab ? u->dlm : u->ier;
	case REG_IIR: {
		uint8_t id = iir_id(u);
		if (id == IIR_THRI)   /* reading IIR clears a THR-empty interrupt */
			u->thre_pending = false;
		return id | ((u->fcr & FCR_ENABLE) ? IIR_FIFO : 0);
	}
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		return LSR_THRE | LSR_TEMT | (u->rx_ready ? LSR_DR : 0);
	case REG_MSR:
		return msr(u);
	default:
		return u->scr;
	}
}

static void write_thr(struct uart *u, uint8_t v)
{
	if (u->mcr & MCR_LOOP) {
		u->rbr = v;
		u->rx_ready = true;
	} else {
		emit(u, (char)v);
	}
	/* The byte leaves at once, so THR is empty again: the interrupt
	 * that writing THR cleared is raised anew. */
	u->thre_pending = true;
}

void uart_write(struct uart *u, unsigned reg, uint8_t v)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (reg & 7) {
	case REG_DATA:
		if (dlab)
			u->dll = v;
		else
			write_thr(u, v);
		return;
	case REG_IER:
		if (dlab) {
			u->dlm = v;
			return;
		}
		/* Enabling the THR-empty interrupt while THR is empty raises it. */
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = true;
		u->ier = v & IER_MASK;
		return;
	case REG_IIR:
		u->fcr = v & FCR_ENABLE;   /* the clear bits clear empty FIFOs */
		return;
	case REG_LCR:
		u->lcr = v;
		return;
	case REG_MCR:
		u->mcr = v & MCR_MASK;
		return;
	case REG_SCR:
		u->scr = v;
		return;
	default:
		return;   /* LSR and MSR: writes are for factory tests */
	}
}
