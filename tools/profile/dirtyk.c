/* make profile's validation figures: what a VMRESUME's validation costs
 * with k dirty fields (the checks those fields feed, from the VM's memo)
 * and whether it depends on the number of VMs. The shadow's own code on
 * the host, counted by callgrind between the toggles around
 * measure_one (tools/profile.sh). Not a test; it measures.
 * Usage: dirtyk K VMS ROUNDS -> prints the checks one validation runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/baseline.h"
#include "vmm/shadow/entry_checks.h"
#include "vmm/shadow/validate_dirty.h"

#define MAX_VMS 32

static struct vmcs_shadow shadow[MAX_VMS];
static struct check_ctx ctx[MAX_VMS];
static struct validate_memos memo[MAX_VMS];
static struct vmx_caps caps;

/* The first k guest-state fields of the table, written with the value
 * they hold: dirty, and every check they feed still passes. */
static void dirty_k(struct vmcs_shadow *s, unsigned k)
{
	shadow_on_entry_ok(s);
	for (unsigned f = 0, n = 0; f < VMCS_FIELD_COUNT && n < k; f++)
		if (vmcs_field_table[f].kind == GUEST) {
			shadow_write(s, (enum vmcs_field)f, shadow_get(s, (enum vmcs_field)f));
			n++;
		}
}

/* One VMRESUME's validation of VM v: what callgrind counts. */
__attribute__((noinline)) unsigned measure_one(unsigned v)
{
	struct verdict r;
	unsigned ran = validate_dirty(&ctx[v], &r);
	if (r.kind != VERDICT_OK) {
		fprintf(stderr, "dirtyk: VM %u's validation failed at %s\n", v, r.check ? r.check->id : "?");
		exit(1);
	}
	return ran;
}

int main(int argc, char **argv)
{
	unsigned k = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
	unsigned vms = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
	unsigned rounds = argc > 3 ? (unsigned)atoi(argv[3]) : 1000;
	if (!vms || vms > MAX_VMS)
		return 2;
	validate_init();
	for (unsigned v = 0; v < vms; v++) {
		baseline_ctx(&ctx[v], &shadow[v], &caps);
		ctx[v].memo = &memo[v];
		ctx[v].no_audit = true;      /* as the hypervisor validates */
		dirty_k(&shadow[v], k);
		(void)measure_one(v);        /* the memo built once, outside the count's steady part */
	}
	unsigned ran = 0;
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned v = 0; v < vms; v++)
			ran = measure_one(v);
	printf("%u\n", ran);
	return 0;
}
