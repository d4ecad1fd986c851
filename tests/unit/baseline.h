/* A valid VMCS shadow and capability set, shaped like what shadowvisor
 * uses on Bochs corei7_skylake_x: 64-bit host, EPT + unrestricted guest,
 * a 32-bit protected-mode guest with paging off. Tests mutate it. */
#ifndef TESTS_BASELINE_H
#define TESTS_BASELINE_H
#include "vmm/shadow/vmcs_shadow.h"
#include "arch/x86/vmx_caps.h"
#include "vmm/shadow/validate.h"

struct host_state;

void baseline_caps(struct vmx_caps *caps);
/* A host state vmcs_setup accepts: the fake CPU's and `make profile`'s. */
void baseline_host_state(struct host_state *h);
/* shadow_init + every field written (so all known and dirty). */
void baseline_shadow(struct vmcs_shadow *s);
/* Both of the above, and a ctx over them with no fetch callback; its
 * msr_entry reads one entry at BASELINE_MSR_AREA (IA32_FS_BASE: refused). */
#define BASELINE_MSR_AREA 0x9000ull
void baseline_ctx(struct check_ctx *c, struct vmcs_shadow *s, struct vmx_caps *caps);

#endif
