/* Leaving the machine: emulator exit ports. */
#ifndef ARCH_X86_POWER_H
#define ARCH_X86_POWER_H

/* QEMU isa-debug-exit (iobase 0xf4: QEMU exits with (status<<1)|1) and the
 * Bochs shutdown port (0x8900, "Shutdown"). Writes to a port that is not
 * there do nothing, so both are tried. Returns if neither machine stopped. */
void power_off_emulators(int status);

#endif
