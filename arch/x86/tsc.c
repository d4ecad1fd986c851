/* Channel 2 of the 8254 is gated by port 0x61 bit 0, and its output can
 * be read in port 0x61 bit 5; nothing else uses it (it drives the PC
 * speaker, which bit 1 keeps off). Mode 0 with a count of N: the output
 * goes high N input clocks (1.193182 MHz) after the count is written. */
#include "arch/x86/tsc.h"
#include "arch/x86/cpu.h"

#define PIT_HZ 1193182u
#define PIT_CH2 0x42
#define PIT_MODE 0x43
#define PORT61 0x61
#define COUNT 11932u                    /* 10 ms */
#define SPIN_MAX 100000000u             /* no PIT: give up */

uint64_t tsc_hz_measure(void)
{
	outb(PORT61, (uint8_t)((inb(PORT61) & ~0x02) | 0x01));   /* gate on, speaker off */
	outb(PIT_MODE, 0xb0);                   /* channel 2, low then high byte, mode 0, binary */
	outb(PIT_CH2, COUNT & 0xff);
	uint64_t t0 = rdtsc();
	outb(PIT_CH2, COUNT >> 8);              /* the count starts with its last byte */
	uint32_t spins = 0;
	while (!(inb(PORT61) & 0x20) && ++spins < SPIN_MAX)
		;
	uint64_t t1 = rdtsc();
	outb(PORT61, (uint8_t)(inb(PORT61) & ~0x03));
	if (spins >= SPIN_MAX)
		return 0;
	return (t1 - t0) * PIT_HZ / COUNT;
}
