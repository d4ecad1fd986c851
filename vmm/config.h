/* The boot command line: the same key=value words from GRUB and from the
 * UEFI load options. Parsed completely before any VM starts; an unknown
 * key, a bad value or an unknown guest is an error with words. Pure C. */
#ifndef VMM_CONFIG_H
#define VMM_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include "vmm/vm.h"
#include "vmm/shadow/pmr_cache.h"
#include "vmm/migrate.h"
#include "arch/x86/percpu.h"

#define CONFIG_DEFAULT_VMS "hello"
#define CONFIG_DEFAULT_QUANTUM 20000

typedef const struct guest_image *(*guest_lookup_fn)(const char *name, unsigned len);

struct config {
	const struct guest_image *vms[VM_MAX];
	uint32_t mem_kb[VM_MAX];      /* vms=NAME:SIZE; 0: the guest's default */
	unsigned nvms;
	struct pmr_config pmr;
	uint32_t quantum;            /* VMX-preemption timer value per slice */
	bool trace_summary;          /* trace=summary: no per-exit lines (the default with a linux guest) */
	bool trace_given;            /* trace= was on the command line */
	bool fastpath_off;           /* fastpath=off: every exit unwinds to the scheduler */
	bool replay_off;             /* fastpath=noreplay: the fast path without the replay */
	bool testhc;                 /* testhc=on: test hypercalls (HC_TEST_VMWRITE) answered */
	struct migrate_config migrate; /* migrate=none|every:K|balance (default none) */
	unsigned cpus;               /* cpus=N: CPUs to use, the boot CPU included (1 to
	                                SMP_MAX_CPUS); 0: every enabled one, up to that */
	unsigned checkcpu;           /* checkcpu=N: the CPU the differential mode runs on (0) */
	const char *entrycheck;      /* value of entrycheck=, or NULL */
	unsigned entrycheck_len;
};

/* Does vms= list a PC guest (linux)? */
bool config_has_pc_guest(const struct config *c);

bool config_parse(const char *cmdline, guest_lookup_fn lookup, struct config *c,
		  char *err, size_t errlen);

#endif
