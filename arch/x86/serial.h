/* 16550 UART on COM1, polled. */
#ifndef ARCH_X86_SERIAL_H
#define ARCH_X86_SERIAL_H
#include <stddef.h>

void serial_init(void);
void serial_write(const char *s, size_t n);
/* Wait until the transmitter is empty: call before powering off, or the
 * last bytes are lost (BOCHS-NOTES.md). */
void serial_flush(void);

#endif
