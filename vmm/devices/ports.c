/* Each device's port handlers: the models' adapters (register = port
 * minus base) and the stubs, which are small enough to live here. */
#include "vmm/devices/ports.h"

#define COM1_BASE    0x3f8
#define PIC_SLAVE    0xa0
#define PIT_BASE     0x40
#define CMOS_BASE    0x70
#define I8042_CMD    0x64      /* status (read) / command (write) */
#define I8042_RESET  0xfe      /* pulse the reset line */
#define I8042_STATUS 0x15      /* a byte waits (OBF), input empty, self-test passed, not inhibited */
#define PCI_ADDRESS  0xcf8
#define PCI_RESET    0xcf9     /* the PIIX reset control register */
#define PCI_RESET_CPU 0x04     /* its bit: reset the CPU */
#define VGA_INDEX    0x3d4

static uint64_t now(struct vm_devices *d)
{
	return d->host.now ? d->host.now(d->host.ctx) : 0;
}

uint32_t com1_port_in(struct vm_devices *d, uint16_t port, unsigned size)
{
	(void)size;
	return uart_read(&d->com1, port - COM1_BASE);
}

void com1_port_out(struct vm_devices *d, uint16_t port, unsigned size, uint32_t v)
{
	(void)size;
	uart_write(&d->com1, port - COM1_BASE, (uint8_t)v);
}

uint32_t pic_port_in(struct vm_devices *d, uint16_t port, unsigned size)
{
	(void)size;
	return pic_read(&d->pic, port >= PIC_SLAVE, port & 1);
}

void pic_port_out(struct vm_devices *d, uint16_t port, unsigned size, uint32_t v)
{
	(void)size;
	pic_write(&d->pic, port >= PIC_SLAVE, port & 1, (uint8_t)v);
}

uint32_t pit_port_in(struct vm_devices *d, uint16_t port, unsigned size)
{
	(void)size;
	return pit_read(&d->pit, port - PIT_BASE, now(d));
}

void pit_port_out(struct vm_devices *d, uint16_t port, unsigned size, uint32_t v)
{
	(void)size;
	pit_write(&d->pit, port - PIT_BASE, (uint8_t)v, now(d));
}

uint32_t port61_port_in(struct vm_devices *d, uint16_t port, unsigned size)
{
	(void)port, (void)size;
	return pit_read_port61(&d->pit, now(d));
}

void port61_port_out(struct vm_devices *d, uint16_t port, unsigned size, uint32_t v)
{
	(void)port, (void)size;
	pit_write_port61(&d->pit, (uint8_t)v, now(d));
}

uint32_t cmos_port_in(struct vm_devices *d, uint16_t port, unsigned size)
{
	(void)size;
	return cmos_read(&d->cmos, port - CMOS_BASE);
}

void cmos_port_out(struct vm_devices *d, uint16_t port, unsigned size, uint32_t v)
{
	(void)size;
	cmos_write(&d->cmos, port - CMOS_BASE, (uint8_t)v);
}

/* The i8042 stub: a controller Linux gives up on at once. Its status
 * always shows a byte waiting (OBF) and no command pending (IBF clear).
 * Linux's i8042_flush reads up to 16 bytes while OBF stays set, then
 * reports "No controller found" and probes no further; a status without
 * OBF would make its first command (read CTR) poll for a reply 10,000
 * times, 50 us apart, each poll an exit. The reset path waits only for
 * IBF clear, so a reset pulse (0xfe to 0x64) comes at once; it ends the
 * VM, since a reset must never reach the host. Other commands are
 * ignored and the data port reads 0. */
uint32_t i8042_port_in(struct vm_devices *d, uint16_t port, unsigned size)
{
	(void)d, (void)size;
	return port == I8042_CMD ? I8042_STATUS : 0;
}

void i8042_port_out(struct vm_devices *d, uint16_t port, unsigned size, uint32_t v)
{
	(void)size;
	if (port == I8042_CMD && (uint8_t)v == I8042_RESET)
		devices_stop(d, "i8042 reset (0xfe to port 0x64)");
}

/* Port 0x80, the POST code port, used as an I/O delay: ignored. */
uint32_t post_port_in(struct vm_devices *d, uint16_t port, unsigned size)
{
	(void)d, (void)port, (void)size;
	return 0xff;
}

void post_port_out(struct vm_devices *d, uint16_t port, unsigned size, uint32_t v)
{
	(void)d, (void)port, (void)size, (void)v;
}

static uint32_t ones(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

/* PCI configuration mechanism #1 with no devices: the address register
 * keeps a 32-bit write and reads it back, every data read is all ones
 * (no function answers). A byte write to 0xcf9 with the CPU-reset bit
 * is a reset: the VM ends. */
uint32_t pci_port_in(struct vm_devices *d, uint16_t port, unsigned size)
{
	if (port == PCI_ADDRESS && size == 4)
		return d->stubs.pci_address;
	return ones(size);
}

void pci_port_out(struct vm_devices *d, uint16_t port, unsigned size, uint32_t v)
{
	if (port == PCI_ADDRESS && size == 4)
		d->stubs.pci_address = v;
	else if (port == PCI_RESET && size == 1 && (v & PCI_RESET_CPU))
		devices_stop(d, "reset through port 0xcf9");
}

/* The VGA CRTC's index and data: latched, harmless, shown nowhere. */
uint32_t vga_port_in(struct vm_devices *d, uint16_t port, unsigned size)
{
	(void)size;
	struct devices_stubs *s = &d->stubs;
	if (port == VGA_INDEX)
		return s->vga_index;
	return s->vga_index < sizeof(s->vga_crtc) ? s->vga_crtc[s->vga_index] : 0xff;
}

void vga_port_out(struct vm_devices *d, uint16_t port, unsigned size, uint32_t v)
{
	(void)size;
	struct devices_stubs *s = &d->stubs;
	if (port == VGA_INDEX)
		s->vga_index = (uint8_t)v;
	else if (s->vga_index < sizeof(s->vga_crtc))
		s->vga_crtc[s->vga_index] = (uint8_t)v;
}
