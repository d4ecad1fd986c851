/* Differential mode: the shadow's verdict held against the CPU's, entered
 * only by the boot option entrycheck= instead of the demo VMs.
 * entrycheck=FILE runs the cases of a case file (rig/entrycheck/casefile.h),
 * each on a fresh, valid VMCS of a probe guest; entrycheck=random:SEED:COUNT
 * mutates fields of a valid VMCS at random until COUNT cases were compared
 * (with :resume, after the probe's VM exit, for a VMRESUME). Every case:
 * the shadow predicts, the CPU really executes the entry, both are printed
 * and compared; one line of totals ends the run (docs/TRACE.md). The CPU is
 * reached through the notify module's ops. This header is the mode's whole
 * surface: everything else in rig/entrycheck/ is private to it. */
#ifndef RIG_ENTRYCHECK_H
#define RIG_ENTRYCHECK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct notify;
struct pagealloc;
struct vm;
struct guest_regs;
struct vmx_result;

/* The probe guests, one per mode: 32-bit protected, 64-bit, real mode. */
#define ENTRYCHECK_PROBES 3

struct entrycheck_env {
	struct notify *n;           /* initialised, with the VMM's own pages named */
	struct pagealloc *pool;     /* fresh VMCSs and the pages a case holds */
	uint64_t vmxon_pa;
	uint32_t revision;          /* VMCS revision identifier */
	/* VMLAUNCH/VMRESUME right after a MOV SS (arch/x86/vmx.h), for the
	 * op=vm*_movss cases; NULL where there is none. */
	struct vmx_result (*enter_after_movss)(struct guest_regs *regs, bool launch);
	/* ENTRYCHECK_PROBES free VM slots, and how the host makes one of them
	 * the named guest with VM id id (not traced: the case lines say what
	 * each case did). */
	struct vm *vms;
	void (*create)(struct vm *vm, unsigned id, const char *guest);
	const char *casefile;       /* the loaded case file, or NULL */
	size_t casefile_len;
};

/* Runs the mode spec names (the value of entrycheck=, spec_len bytes):
 * "random:SEED:COUNT[:resume]", or anything else for the loaded case file.
 * The probes get their last VMCLEAR at the end. NULL when the run is done
 * (its totals line printed), else why none could run. */
const char *entrycheck_run(const struct entrycheck_env *env, const char *spec, unsigned spec_len);

#endif
