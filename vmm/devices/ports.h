/* The port handlers behind devices.c's table: one in and one out per
 * device. A byte-wide device's handlers see single bytes; a wide one's
 * (PCI configuration) the whole access. */
#ifndef VMM_DEVICES_PORTS_H
#define VMM_DEVICES_PORTS_H
#include "vmm/devices/devices.h"

typedef uint32_t port_in_fn(struct vm_devices *d, uint16_t port, unsigned size);
typedef void port_out_fn(struct vm_devices *d, uint16_t port, unsigned size, uint32_t v);

#define PORT_DEVICES(X) \
	X(com1) X(pic) X(pit) X(port61) X(cmos) X(i8042) X(post) X(pci) X(vga)

#define PORT_DECLARE(name) port_in_fn name##_port_in; port_out_fn name##_port_out;
PORT_DEVICES(PORT_DECLARE)
#undef PORT_DECLARE

#endif
