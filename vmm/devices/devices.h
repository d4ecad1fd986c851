/* A VM's virtual devices behind port I/O: COM1 (8250/16550A), the 8259A
 * pair, the 8254 PIT with port 0x61, the CMOS RTC, and stubs for the
 * i8042, port 0x80, PCI configuration and VGA's CRTC index/data. Every
 * other port answers as absent: reads all ones, writes ignored (COM2-4
 * among them, so Linux's probes find no UART there). Pure C: time, the
 * output stream and the clock come from the composition through
 * struct devices_host.
 *
 * A device that needs the VM to stop (a reset request) makes
 * devices_io return DEVICES_STOP; devices_stop_why() names the reason,
 * e.g. "i8042 reset (0xfe to port 0x64)". The VM must not run on. */
#ifndef VMM_DEVICES_DEVICES_H
#define VMM_DEVICES_DEVICES_H
#include <stdbool.h>
#include <stdint.h>
#include "vmm/devices/cmos.h"
#include "vmm/devices/pic.h"
#include "vmm/devices/pit.h"
#include "vmm/devices/uart.h"

struct devices_host {
	uart_line_fn *line;             /* each line of COM1's output */
	uint64_t (*now)(void *ctx);     /* the VM's TSC, for the PIT */
	void *ctx;                      /* handed to line and now */
	uint64_t tsc_hz;                /* that TSC's frequency */
	struct cmos_time time;          /* what the RTC reads */
};

struct devices_stubs {
	uint32_t pci_address;           /* 0xcf8, as last written */
	uint8_t vga_index;              /* 0x3d4 */
	uint8_t vga_crtc[32];           /* 0x3d5 by index, latched */
};

struct vm_devices {
	struct devices_host host;
	struct uart com1;
	struct pic pic;
	struct pit pit;
	struct cmos cmos;
	struct devices_stubs stubs;
	const char *stop_why;           /* set once: the VM must stop */
};

enum devices_verdict { DEVICES_OK, DEVICES_STOP };

void devices_init(struct vm_devices *d, const struct devices_host *host);

/* One IN or OUT of size 1, 2 or 4 bytes at port. An IN's value (the
 * size's low bytes) goes to *value; an OUT's comes from it. An access
 * wider than a byte to a byte-wide device is split into byte accesses at
 * consecutive ports, as the PC's ISA bus does. */
enum devices_verdict devices_io(struct vm_devices *d, uint16_t port, unsigned size, bool in,
				uint32_t *value);
const char *devices_stop_why(const struct vm_devices *d);
/* The name of the device at port ("com1", "pic", ...; "absent"). */
const char *devices_name(uint16_t port);

/* The interrupt lines brought up to date (COM1's IRQ4 level, the PIT's
 * IRQ0 edges up to now), then the vector the PIC pair would deliver, or
 * -1. devices_ack takes it (the INTA cycle). */
int devices_pending_vector(struct vm_devices *d);
uint8_t devices_ack(struct vm_devices *d);
/* The VM's TSC at its next timer interrupt (UINT64_MAX: none coming):
 * how long a VM halted with interrupts enabled may sleep. */
uint64_t devices_next_timer(const struct vm_devices *d);

/* Hands COM1's partial line to the output (at the VM's end). */
void devices_flush(struct vm_devices *d);

/* For the port handlers (ports.c): a reason the VM must stop; the
 * first one stays. */
void devices_stop(struct vm_devices *d, const char *why);

#endif
