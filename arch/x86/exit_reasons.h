/* Exit reason numbers and names, generated from exit_reasons.def. */
#ifndef VMM_EXIT_REASONS_H
#define VMM_EXIT_REASONS_H

enum exit_reason {
#define X(num, name) EXIT_##name = num,
#include "arch/x86/exit_reasons.def"
#undef X
	EXIT_REASON_LIMIT = 64
};

static inline const char *exit_reason_name(unsigned r)
{
	switch (r) {
#define X(num, name) case num: return #name;
#include "arch/x86/exit_reasons.def"
#undef X
	default: return "unknown";
	}
}

#endif
