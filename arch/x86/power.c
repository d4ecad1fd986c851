#include "arch/x86/power.h"
#include "arch/x86/cpu.h"
#include "arch/x86/serial.h"

void power_off_emulators(int status)
{
	serial_flush();
	outl(0xf4, (uint32_t)status);
	for (const char *s = "Shutdown"; *s; s++)
		outb(0x8900, (uint8_t)*s);
}
