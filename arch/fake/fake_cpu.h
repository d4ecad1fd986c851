/* A fake VMX processor for host programs (unit tests, fuzzers, the
 * profiler): arch/fake/vmx.c implements arch/x86/vmx.h on it. It keeps
 * one VMCS per region address (values by encoding), and per logical
 * processor (FAKE_CPUS of them, one current at a time) the current-VMCS
 * pointer and the set of active VMCSs (SDM Vol. 3C 25.1: both are per
 * logical processor); a log of the instructions issued, each with the
 * processor that issued it, and counts per instruction and per encoding. What a VM exit brings, and which instruction fails, is the
 * test's world: the hooks below (each may be NULL). A VM exit clears the
 * valid bit of the VM-entry interruption-information field, as the
 * processor does (SDM Vol. 3C 28.2.5); nothing else is modelled. */
#ifndef ARCH_FAKE_FAKE_CPU_H
#define ARCH_FAKE_FAKE_CPU_H
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/vmx.h"

enum fake_insn { F_VMCLEAR, F_VMPTRLD, F_VMREAD, F_VMWRITE, F_VMLAUNCH, F_VMRESUME, F_INVEPT, F_INSN_COUNT };

struct fake_call {
	enum fake_insn insn;
	uint64_t arg;        /* region address (VMCLEAR/VMPTRLD) or field encoding */
	uint64_t value;      /* VMWRITE value, VMREAD result */
	unsigned cpu;        /* the fake processor that issued it */
};

#define FAKE_VMCS_MAX 8
#define FAKE_LOG 4096
#define FAKE_CPUS 4

struct fake_vmcs {
	uint64_t pa;
	unsigned active;            /* bit i: active on fake processor i */
	uint64_t val[1u << 16];     /* by encoding (its low 16 bits) */
};

struct fake_cpu {
	struct fake_vmcs vmcs[FAKE_VMCS_MAX];
	struct fake_vmcs *current;  /* the current processor's current VMCS */
	unsigned cpu;               /* the processor the next instruction runs on */
	struct fake_vmcs *current_of[FAKE_CPUS]; /* the others' (current's is above) */
	struct vmx_caps caps;       /* what vmx_caps_read reports */
	uint64_t tsc;               /* vmx_now: one tick a call */
	uint64_t count[F_INSN_COUNT];
	uint64_t reads[1u << 16], writes[1u << 16];   /* per encoding */
	struct fake_call log[FAKE_LOG];
	unsigned nlog;
	bool log_full;              /* more instructions than FAKE_LOG: the rest not logged */
	/* Failures nobody asked for (fail/on_enter did not say so): a VMREAD,
	 * VMWRITE or entry with no current VMCS, an unsupported encoding, an
	 * unknown region, a VMPTRLD or VMCLEAR of a VMCS active on another
	 * processor (SDM 25.11.1: VMCLEAR it there first). A test's teardown asserts it stayed 0, so a lost
	 * VMPTRLD or a wrong encoding cannot pass as a value. */
	unsigned unexpected;
	/* The k-th VMREAD (insn F_VMREAD) or VMWRITE of this encoding (k
	 * from 1) returns what this says; VMX_OK lets it go through. */
	struct vmx_result (*fail)(enum fake_insn insn, uint32_t encoding, uint64_t k);
	/* Before each VMLAUNCH/VMRESUME, the stub's too: a failure is
	 * returned as the instruction's (the guest does not run). */
	struct vmx_result (*on_enter)(struct guest_regs *regs, bool launch);
	/* The guest ran: write the exit's fields (reason, length, RIP...). */
	void (*on_exit)(struct guest_regs *regs, struct fake_vmcs *v);
};

extern struct fake_cpu fake_cpu;

/* Forget everything: no regions, no log, no hooks, caps zero. */
void fake_cpu_reset(void);
/* A field of a region, by the VMCS field table. */
uint64_t *fake_field(struct fake_vmcs *v, enum vmcs_field f);
/* The region at pa (made on first use). */
struct fake_vmcs *fake_region(uint64_t pa);
/* The log: how many of insn, and the index of the first at or after from
 * (-1 when none). */
unsigned fake_count_calls(enum fake_insn insn);
int fake_find_call(enum fake_insn insn, unsigned from);
void fake_forget_calls(void);
/* The processor the next instructions run on (0..FAKE_CPUS-1): its own
 * current VMCS becomes fake_cpu.current. */
void fake_cpu_set_current(unsigned cpu);
unsigned fake_cpu_this(void);
/* Is the region at pa active on processor cpu? Which VMCS is current there? */
bool fake_active_on(uint64_t pa, unsigned cpu);
struct fake_vmcs *fake_current_of(unsigned cpu);
/* The log: how many of insn were issued by processor cpu. */
unsigned fake_count_calls_on(enum fake_insn insn, unsigned cpu);

#endif
