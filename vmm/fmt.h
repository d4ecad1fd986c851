/* A small snprintf for the hypervisor: %s %c %d %u %x %% with l/ll
 * length modifiers, field width and '0' padding. Pure C. */
#ifndef VMM_FMT_H
#define VMM_FMT_H
#include <stdarg.h>
#include <stddef.h>

/* Returns the length written (always NUL-terminated, truncated to size-1). */
size_t fmt(char *buf, size_t size, const char *f, ...)
	__attribute__((format(printf, 3, 4)));
size_t vfmt(char *buf, size_t size, const char *f, va_list ap);

#endif
