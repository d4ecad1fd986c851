/* The TSC's frequency, measured against the platform's 8254 PIT. */
#ifndef ARCH_X86_TSC_H
#define ARCH_X86_TSC_H
#include <stdint.h>

/* TSC ticks per second over 10 ms of PIT channel 2, or 0 when channel 2
 * never reached its terminal count (no PIT). Interrupts must be off. */
uint64_t tsc_hz_measure(void);

#endif
