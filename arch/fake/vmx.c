/* arch/x86/vmx.h on a fake processor (fake_cpu.h), for host programs. The
 * VMX instructions behave as the SDM says for what is modelled: VMREAD and
 * VMWRITE need a current VMCS (VMfailInvalid) and a supported encoding
 * (VMfailValid 12); VMCLEAR of the current VMCS leaves none current. */
#include "arch/fake/fake_cpu.h"
#include <string.h>

struct fake_cpu fake_cpu;

#define VMERR_UNSUPPORTED_COMPONENT 12
#define VMERR_MOVSS 26

static const struct vmx_result ok = { VMX_OK, 0 };

void fake_cpu_reset(void)
{
	memset(&fake_cpu, 0, sizeof(fake_cpu));
}

static void record(enum fake_insn insn, uint64_t arg, uint64_t value)
{
	fake_cpu.count[insn]++;
	if (fake_cpu.nlog == FAKE_LOG) {
		fake_cpu.log_full = true;
		return;
	}
	fake_cpu.log[fake_cpu.nlog++] = (struct fake_call){ insn, arg, value, fake_cpu.cpu };
}

/* A failure the processor would report though the test did not ask for it. */
static struct vmx_result unexpected(struct vmx_result r)
{
	fake_cpu.unexpected++;
	return r;
}

struct fake_vmcs *fake_region(uint64_t pa)
{
	for (unsigned i = 0; i < FAKE_VMCS_MAX; i++)
		if (fake_cpu.vmcs[i].pa == pa)
			return &fake_cpu.vmcs[i];
	for (unsigned i = 0; i < FAKE_VMCS_MAX; i++)
		if (fake_cpu.vmcs[i].pa == 0) {
			fake_cpu.vmcs[i].pa = pa;
			return &fake_cpu.vmcs[i];
		}
	return NULL;
}

uint64_t *fake_field(struct fake_vmcs *v, enum vmcs_field f)
{
	return &v->val[vmcs_field_encoding(f) & 0xffff];
}

unsigned fake_count_calls(enum fake_insn insn)
{
	unsigned k = 0;
	for (unsigned i = 0; i < fake_cpu.nlog; i++)
		k += fake_cpu.log[i].insn == insn;
	return k;
}

int fake_find_call(enum fake_insn insn, unsigned from)
{
	for (unsigned i = from; i < fake_cpu.nlog; i++)
		if (fake_cpu.log[i].insn == insn)
			return (int)i;
	return -1;
}

unsigned fake_count_calls_on(enum fake_insn insn, unsigned cpu)
{
	unsigned k = 0;
	for (unsigned i = 0; i < fake_cpu.nlog; i++)
		k += fake_cpu.log[i].insn == insn && fake_cpu.log[i].cpu == cpu;
	return k;
}

void fake_cpu_set_current(unsigned cpu)
{
	if (cpu >= FAKE_CPUS) {
		fake_cpu.unexpected++;
		return;
	}
	fake_cpu.current_of[fake_cpu.cpu] = fake_cpu.current;
	fake_cpu.cpu = cpu;
	fake_cpu.current = fake_cpu.current_of[cpu];
}

unsigned fake_cpu_this(void)
{
	return fake_cpu.cpu;
}

bool fake_active_on(uint64_t pa, unsigned cpu)
{
	for (unsigned i = 0; i < FAKE_VMCS_MAX; i++)
		if (fake_cpu.vmcs[i].pa == pa)
			return cpu < FAKE_CPUS && (fake_cpu.vmcs[i].active >> cpu) & 1;
	return false;
}

struct fake_vmcs *fake_current_of(unsigned cpu)
{
	if (cpu >= FAKE_CPUS)
		return NULL;
	return cpu == fake_cpu.cpu ? fake_cpu.current : fake_cpu.current_of[cpu];
}

/* Active on a processor other than this one: the SDM forbids VMPTRLD and
 * VMCLEAR of it here until it is cleared there (25.11.1); a real processor
 * would not notice, and the two copies of its data would part ways. */
static bool active_elsewhere(const struct fake_vmcs *v)
{
	return (v->active & ~(1u << fake_cpu.cpu)) != 0;
}

void fake_forget_calls(void)
{
	fake_cpu.nlog = 0;
	fake_cpu.log_full = false;
}

void vmx_caps_read(struct vmx_caps *c)
{
	*c = fake_cpu.caps;
}

void vmx_enable_feature_control(void)
{
}

struct vmx_result vmx_on(uint64_t region_pa, const struct vmx_caps *c)
{
	(void)region_pa;
	(void)c;
	return ok;
}

struct vmx_result vmx_off(void)
{
	return ok;
}

struct vmx_result vmx_clear(uint64_t vmcs_pa)
{
	record(F_VMCLEAR, vmcs_pa, 0);
	struct fake_vmcs *v = fake_region(vmcs_pa);
	if (!v)
		return unexpected((struct vmx_result){ VMX_FAIL_INVALID, 0 });
	if (active_elsewhere(v))
		fake_cpu.unexpected++;
	/* SDM 31.3 VMCLEAR: launch state clear, not active, not current here. */
	v->active &= ~(1u << fake_cpu.cpu);
	if (fake_cpu.current == v)
		fake_cpu.current = NULL;
	return ok;
}

struct vmx_result vmx_ptrld(uint64_t vmcs_pa)
{
	record(F_VMPTRLD, vmcs_pa, 0);
	struct fake_vmcs *v = fake_region(vmcs_pa);
	if (!v)
		return unexpected((struct vmx_result){ VMX_FAIL_INVALID, 0 });
	if (active_elsewhere(v))
		fake_cpu.unexpected++;
	v->active |= 1u << fake_cpu.cpu;
	fake_cpu.current = v;
	return ok;
}

/* Current VMCS, supported encoding, then the test's own failure. */
static struct vmx_result access(enum fake_insn insn, uint32_t encoding, uint64_t k)
{
	if (!fake_cpu.current)
		return unexpected((struct vmx_result){ VMX_FAIL_INVALID, 0 });
	if (vmcs_field_by_encoding(encoding) == VMCS_FIELD_NONE)
		return unexpected((struct vmx_result){ VMX_FAIL_VALID, VMERR_UNSUPPORTED_COMPONENT });
	return fake_cpu.fail ? fake_cpu.fail(insn, encoding, k) : ok;
}

/* A failed VMREAD gives 0, as arch/x86/vmx.c's does. */
struct vmx_result vmx_read(uint32_t encoding, uint64_t *value)
{
	uint64_t k = ++fake_cpu.reads[encoding & 0xffff];
	struct vmx_result r = access(F_VMREAD, encoding, k);
	*value = r.status == VMX_OK ? fake_cpu.current->val[encoding & 0xffff] : 0;
	record(F_VMREAD, encoding, *value);
	return r;
}

struct vmx_result vmx_write(uint32_t encoding, uint64_t value)
{
	uint64_t k = ++fake_cpu.writes[encoding & 0xffff];
	struct vmx_result r = access(F_VMWRITE, encoding, k);
	record(F_VMWRITE, encoding, value);
	if (r.status == VMX_OK)
		fake_cpu.current->val[encoding & 0xffff] = value;
	return r;
}

/* One instruction each: try issues it, why returns what it gave. */
static struct vmx_result tried;

bool vmx_read_try(uint32_t encoding, uint64_t *value)
{
	tried = vmx_read(encoding, value);
	return tried.status == VMX_OK;
}

struct vmx_result vmx_read_why(uint32_t encoding, uint64_t *value)
{
	(void)encoding;
	*value = 0;
	return tried;
}

bool vmx_write_try(uint32_t encoding, uint64_t value)
{
	tried = vmx_write(encoding, value);
	return tried.status == VMX_OK;
}

struct vmx_result vmx_write_why(uint32_t encoding, uint64_t value)
{
	(void)encoding;
	(void)value;
	return tried;
}

struct vmx_result vmx_invept_global(void)
{
	record(F_INVEPT, 0, 0);
	return ok;
}

void vmx_guest_msr_load(uint32_t msr, uint64_t value)
{
	(void)msr;
	(void)value;
}

uint64_t vmx_now(void)
{
	return ++fake_cpu.tsc;
}

/* One VMLAUNCH/VMRESUME; while again() returns true the stub would
 * VMRESUME at once: one more entry and exit here. */
struct vmx_result vmx_enter(struct guest_regs *regs, bool launch, bool (*again)(void *ctx), void *ctx)
{
	for (;;) {
		record(launch ? F_VMLAUNCH : F_VMRESUME, 0, 0);
		if (!fake_cpu.current)
			return unexpected((struct vmx_result){ VMX_FAIL_INVALID, 0 });
		struct vmx_result r = fake_cpu.on_enter ? fake_cpu.on_enter(regs, launch) : ok;
		if (r.status != VMX_OK)
			return r;
		*fake_field(fake_cpu.current, VMCS_entry_intr_info) &= ~(1ull << 31);
		if (fake_cpu.on_exit)
			fake_cpu.on_exit(regs, fake_cpu.current);
		if (!again || !again(ctx))
			return ok;
		launch = false;
	}
}

struct vmx_result vmx_enter_after_movss(struct guest_regs *regs, bool launch)
{
	(void)regs;
	(void)launch;
	return (struct vmx_result){ VMX_FAIL_VALID, VMERR_MOVSS };
}

uint64_t vmx_exit_rip(void)
{
	return 0xffffffff80001000ull;
}

uint64_t vmx_exit_rsp(void)
{
	return 0xffffffff80002000ull;
}
