/* IN and OUT of a PC VM: every port to its devices (vmm/devices/). */
#include "vmm/pc/pc.h"

enum exit_action pc_io(struct notify *n, struct vm *vm, uint64_t q)
{
	unsigned size = (unsigned)(q & 7) + 1;
	uint16_t port = (uint16_t)(q >> 16);
	bool in = (q >> 3) & 1, string = (q >> 4) & 1;
	if (string)
		return exits_stop(vm, "string I/O instructions (INS, OUTS) are not emulated");
	uint32_t v = (uint32_t)vm->regs.rax;
	enum devices_verdict d = devices_io(&vm->pc.dev, port, size, in, &v);
	if (in) {
		/* A 4-byte IN writes EAX, which in 64-bit mode clears RAX's upper
		 * half (SDM Vol. 1 3.4.1.1); 1 and 2 bytes leave the rest. */
		uint64_t mask = size == 4 ? ~0ull : (1ull << (size * 8)) - 1;
		vm->regs.rax = (vm->regs.rax & ~mask) | (v & mask);
	}
	if (d == DEVICES_STOP)
		return exits_stop(vm, devices_stop_why(&vm->pc.dev));
	if (vm->pc.panicked)
		return ACT_STOP;            /* why: the panic line (pc.c) */
	return exits_advance_rip(n, vm);
}
