/* Making a PC VM (the linux guest): the kernel laid out by its boot
 * protocol, where it starts, its MSR bitmap, its devices and their
 * console; and two helpers the PC exits share. */
#include "vmm/pc/pc.h"
#include "vmm/trace.h"
#include "vmm/fmt.h"
#include "vmm/pagealloc.h"
#include "arch/x86/vmx.h"
#include <string.h>


/* What its RTC reads: a fixed time (the guest's clock is not the host's). */
static const struct cmos_time pc_rtc = { .year = 2000, .month = 1, .day = 1, .weekday = 7 };

/* A line COM1 completed: the VM's own output stream in the trace, as a
 * tiny guest's (rate-limited the same way). A kernel panic is noted: the
 * exit that wrote it stops the VM. */
void pc_console_line(void *ctx, const char *text, unsigned len)
{
	struct vm *vm = ctx;
	if (len > sizeof(vm->out))
		len = sizeof(vm->out);
	memcpy(vm->out, text, len);
	vm->out_len = len;
	static const char panic[] = "Kernel panic";
	for (unsigned i = 0; i + sizeof(panic) - 1 <= len && !vm->pc.panicked; i++)
		if (!memcmp(text + i, panic, sizeof(panic) - 1)) {
			vm->pc.panicked = true;
			size_t o = 0;
			for (unsigned k = i; k < len && o + 1 < sizeof(vm->why); k++)
				vm->why[o++] = text[k] == '"' ? '\'' : text[k];
			vm->why[o] = '\0';
		}
	exits_flush_output(vm);
}

static uint64_t guest_tsc(void *ctx)
{
	(void)ctx;
	return vmx_now();    /* no TSC offset: the guest reads the host's TSC */
}

const char *pc_build(struct vm *vm, const struct vm_env *e)
{
	const struct vmx_caps *c = e->caps;
	const uint32_t proc = PC_PROC_CONTROLS | PROC_INTR_WINDOW;
	if ((c->entry.may_be_1 & PC_ENTRY_CONTROLS) != PC_ENTRY_CONTROLS ||
	    (c->exit.may_be_1 & PC_EXIT_CONTROLS) != PC_EXIT_CONTROLS || (c->proc.may_be_1 & proc) != proc)
		return "this CPU cannot run a PC guest (it needs EFER and PAT switched at entry and exit, MSR "
		       "bitmaps and interrupt-window exiting)";
	if (!e->tsc_hz)
		return "the TSC's frequency is unknown: a PC guest's timer cannot run";
	struct linux_files none = { 0 };
	const struct linux_files *f = e->files ? e->files : &none;
	struct linux_entry le;
	const char *err = linux_load((uint8_t *)vm->mem_pa, vm->mem_size, f, &le);
	if (err)
		return err;
	vm->pc.boot = le;
	vm->pc.kernel_len = f->kernel_len;
	vm->pc.initrd_len = f->initrd ? f->initrd_len : 0;
	vm->pc.msr_bitmap_pa = pagealloc_get(e->pool, 1);
	if (!vm->pc.msr_bitmap_pa)
		return "out of memory for the MSR bitmap";
	pc_msr_bitmap(vm->pc.msr_bitmap_pa);
	vm->start = (struct vm_start){ .rip = le.eip, .rsi = le.esi, .gdt_base = le.gdt_base, .cs = le.cs,
				       .ds = le.ds, .gdt_limit = le.gdt_limit };
	vm->regs.rsi = le.esi;
	struct devices_host h = { pc_console_line, guest_tsc, vm, e->tsc_hz, pc_rtc };
	devices_init(&vm->pc.dev, &h);
	return NULL;
}

void pc_report_kernel(const struct vm *vm)
{
	const struct linux_entry *le = &vm->pc.boot;
	trace_vm(vm->id, TEV_VM_kernel, "proto=0x%x kernel=%llu initrd=%llu initrd_at=0x%x needs=%lluK",
		 le->version, (unsigned long long)vm->pc.kernel_len, (unsigned long long)vm->pc.initrd_len,
		 le->initrd_at, (unsigned long long)(le->needs >> 10));
}

enum exit_action pc_inject_exception(struct notify *n, struct vm *vm, unsigned vector)
{
	bool code = vector == PC_VECTOR_GP;
	uint32_t info = PC_INTR_VALID | (PC_INTR_TYPE_HW_EXC << 8) | vector | (code ? 1u << 11 : 0);
	if ((code && !notify_write(n, vm, VMCS_entry_exception_error, 0)) ||
	    !notify_write(n, vm, VMCS_entry_intr_info, info))
		return exits_stop(vm, "cannot inject an exception");
	return ACT_CONTINUE;
}

bool pc_gpr(struct notify *n, struct vm *vm, unsigned k, uint64_t *v)
{
	uint64_t *r = &vm->regs.rax;    /* rax, rcx, rdx, rbx, (rsp), rbp, rsi, rdi, r8.. */
	if (k == 4)
		return notify_read(n, vm, VMCS_guest_rsp, v);
	*v = r[k < 4 ? k : k - 1];
	return true;
}
