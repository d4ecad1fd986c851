/* A test-and-set lock on XCHG (an implicitly locked exchange with memory,
 * SDM Vol. 3A 9.1.2.1), spinning on a plain read with PAUSE in between.
 * For short sections only: the trace sink's one line. */
#ifndef ARCH_X86_SPINLOCK_H
#define ARCH_X86_SPINLOCK_H
#include <stdint.h>

struct spinlock {
	volatile uint32_t held;
};

static inline void spin_lock(struct spinlock *l)
{
	for (;;) {
		uint32_t v = 1;
		__asm__ volatile("xchg %0, %1" : "+r"(v), "+m"(l->held) : : "memory");
		if (!v)
			return;
		while (l->held)
			__asm__ volatile("pause" ::: "memory");
	}
}

static inline void spin_unlock(struct spinlock *l)
{
	/* x86 stores are not reordered with older loads or stores (SDM Vol. 3A
	 * 9.2.2): a plain store after a compiler barrier releases the lock. */
	__asm__ volatile("" ::: "memory");
	l->held = 0;
}

#endif
