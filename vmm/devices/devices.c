/* The port map and its dispatch: one table of port ranges, each to the
 * device that answers it (ports.c); every port outside it is absent. */
#include <stddef.h>
#include "vmm/devices/devices.h"
#include "vmm/devices/ports.h"

#define IRQ_PIT  0
#define IRQ_COM1 4

struct io_range {
	uint16_t first, last;
	bool wide;           /* handlers take 2- and 4-byte accesses whole */
	const char *name;
	port_in_fn *in;
	port_out_fn *out;
};

/* The PC/AT port map as far as a Linux guest needs it. */
static const struct io_range io_map[] = {
	{ 0x020, 0x021, false, "pic",    pic_port_in,    pic_port_out },
	{ 0x040, 0x043, false, "pit",    pit_port_in,    pit_port_out },
	{ 0x060, 0x060, false, "i8042",  i8042_port_in,  i8042_port_out },
	{ 0x061, 0x061, false, "port61", port61_port_in, port61_port_out },
	{ 0x064, 0x064, false, "i8042",  i8042_port_in,  i8042_port_out },
	{ 0x070, 0x071, false, "cmos",   cmos_port_in,   cmos_port_out },
	{ 0x080, 0x080, false, "post",   post_port_in,   post_port_out },
	{ 0x0a0, 0x0a1, false, "pic",    pic_port_in,    pic_port_out },
	{ 0x3d4, 0x3d5, false, "vga",    vga_port_in,    vga_port_out },
	{ 0x3f8, 0x3ff, false, "com1",   com1_port_in,   com1_port_out },
	{ 0xcf8, 0xcff, true,  "pci",    pci_port_in,    pci_port_out },
};

static const struct io_range *lookup(uint16_t port)
{
	for (size_t i = 0; i < sizeof(io_map) / sizeof(io_map[0]); i++)
		if (port >= io_map[i].first && port <= io_map[i].last)
			return &io_map[i];
	return NULL;
}

const char *devices_name(uint16_t port)
{
	const struct io_range *r = lookup(port);
	return r ? r->name : "absent";
}

void devices_init(struct vm_devices *d, const struct devices_host *host)
{
	*d = (struct vm_devices){ .host = *host };
	uart_init(&d->com1, host->line, host->ctx);
	pic_init(&d->pic);
	pit_init(&d->pit, host->tsc_hz);
	cmos_init(&d->cmos, &host->time);
}

void devices_stop(struct vm_devices *d, const char *why)
{
	if (!d->stop_why)
		d->stop_why = why;
}

const char *devices_stop_why(const struct vm_devices *d)
{
	return d->stop_why;
}

static uint8_t byte_io(struct vm_devices *d, uint16_t port, bool in, uint8_t v)
{
	const struct io_range *r = lookup(port);
	if (!r)
		return 0xff;   /* absent: the bus floats high */
	if (in)
		return (uint8_t)r->in(d, port, 1);
	r->out(d, port, 1, v);
	return 0;
}

enum devices_verdict devices_io(struct vm_devices *d, uint16_t port, unsigned size, bool in,
				uint32_t *value)
{
	if (size != 1 && size != 2 && size != 4)
		size = 1;
	const struct io_range *r = lookup(port);
	uint32_t v = in ? 0 : *value;
	if (r && r->wide) {
		if (in)
			v = r->in(d, port, size);
		else
			r->out(d, port, size, v);
	} else {
		for (unsigned i = 0; i < size; i++) {
			uint8_t b = byte_io(d, (uint16_t)(port + i), in, (uint8_t)(v >> (8 * i)));
			if (in)
				v |= (uint32_t)b << (8 * i);
		}
	}
	if (in)
		*value = size == 4 ? v : v & ((1u << (size * 8)) - 1);
	return d->stop_why ? DEVICES_STOP : DEVICES_OK;
}

int devices_pending_vector(struct vm_devices *d)
{
	uint64_t now = d->host.now ? d->host.now(d->host.ctx) : 0;
	pic_set_level(&d->pic, IRQ_COM1, uart_irq(&d->com1));
	if (pit_irq0_due(&d->pit, now)) {   /* an edge: up, then down again */
		pic_raise(&d->pic, IRQ_PIT);
		pic_lower(&d->pic, IRQ_PIT);
	}
	return pic_pending_vector(&d->pic);
}

uint8_t devices_ack(struct vm_devices *d)
{
	return pic_ack(&d->pic);
}

uint64_t devices_next_timer(const struct vm_devices *d)
{
	return pit_irq0_next(&d->pit);
}

void devices_flush(struct vm_devices *d)
{
	uart_flush(&d->com1);
}
