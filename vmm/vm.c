/* A VM's making and unmaking: its memory, EPT and VMCS region from the
 * page pool, the guest image copied in (or a Linux kernel laid out by
 * vmm/pc/), and all of it back at its end. */
#include "vmm/vm.h"
#include "vmm/ept.h"
#include "vmm/pc/pc.h"
#include "vmm/trace.h"
#include "arch/x86/vmx.h"
#include <string.h>

/* "prot32", "real16" or "long64", as guests.def and the trace say it. */
static const char *mode_name(enum guest_mode mode)
{
	return mode == MODE_LONG64 ? "long64" : mode == MODE_PROT32 ? "prot32" : "real16";
}

/* Page-table entry bits (SDM Vol. 3A 4.5): present, writable, user, and
 * in a PD entry a 2 MiB page. */
#define PTE_P  (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_PS (1ull << 7)

/* A long64 guest's page tables into its memory (mem: the host's view of
 * guest-physical 0); the PML4 is at guest_tables_gpa, the guest's CR3. */
static void build_tables(uint8_t *mem, uint64_t mem_size)
{
	uint64_t pml4 = guest_tables_gpa(mem_size), pdpt = pml4 + 0x1000, pd = pml4 + 0x2000;
	uint64_t *t = (uint64_t *)(mem + pml4);
	memset(t, 0, GUEST_TABLES_SIZE);
	const uint64_t flags = PTE_P | PTE_RW | PTE_US;
	t[0] = pdpt | flags;
	t[(GUEST_HIGH_ALIAS >> 39) & 511] = pdpt | flags;
	t[512] = pd | flags;                 /* PDPT entry 0 */
	t[1024] = 0 | flags | PTE_PS;        /* PD entry 0: guest-physical 0..2 MiB */
}

static unsigned mem_pages(const struct vm *vm)
{
	return (unsigned)(vm->mem_size / PAGE_SIZE);
}

/* A flat image at 0x1000, entered there with flat segments (and a long64
 * guest's page tables). */
static const char *flat_load(struct vm *vm, const struct guest_image *g, const struct vm_env *e)
{
	uint64_t size = (uint64_t)(g->end - g->start);
	if (size > vm->mem_size - 0x1000 - 0x100 - guest_reserved_top(g->mode))
		return "out of memory, or a guest image larger than its memory";
	/* VM entry with "IA-32e mode guest" = 1 is what puts it in 64-bit mode. */
	if (g->mode == MODE_LONG64 && !(e->caps->entry.may_be_1 & ENTRY_IA32E_GUEST))
		return "this CPU cannot enter 64-bit guests (VM-entry control \"IA-32e mode guest\" not allowed)";
	memcpy((void *)(vm->mem_pa + 0x1000), g->start, size);
	if (g->mode == MODE_LONG64)
		build_tables((uint8_t *)vm->mem_pa, vm->mem_size);
	vm->start = vm_start_flat();
	return NULL;
}

const char *vm_build(struct vm *vm, unsigned id, const struct guest_image *g, uint32_t mem_kb,
		     const struct vm_env *e)
{
	memset(vm, 0, sizeof(*vm));
	vm->id = id;
	vm->image = g;
	vm->mem_size = (uint64_t)(mem_kb ? mem_kb : g->mem_kb) * 1024;
	vm->pc_on = g->kind == GUEST_LINUX;
	bool large = vmx_has_ept_2mb(e->caps);
	/* A PC VM's memory on 2 MiB boundaries, so that EPT maps it with
	 * 2 MiB pages. */
	vm->mem_pa = vm->pc_on && large ? pagealloc_get_aligned(e->pool, mem_pages(vm), EPT_LARGE / PAGE_SIZE)
					: pagealloc_get(e->pool, mem_pages(vm));
	vm->vmcs_pa = pagealloc_get(e->pool, 1);
	if (vm->mem_pa) {
		vm->ept_pages = ept_pages(vm->mem_pa, vm->mem_size, large);
		vm->ept_pa = ept_build(e->pool, vm->mem_pa, vm->mem_size, large);
	}
	const char *err = NULL;
	if (!vm->mem_pa || !vm->vmcs_pa || !vm->ept_pa)
		err = "out of memory for the VM's memory, VMCS or EPT";
	else
		err = vm->pc_on ? pc_build(vm, e) : flat_load(vm, g, e);
	if (err) {
		vm_release(vm, e->pool);    /* nothing taken is lost */
		return err;
	}
	*(uint32_t *)vm->vmcs_pa = vmx_revision_id(e->caps);   /* SDM Vol. 3C 25.2 */
	shadow_init(&vm->shadow);
	vm->test_hypercalls = e->test_hypercalls;
	return NULL;
}

const char *vm_create(struct vm *vm, unsigned id, const struct guest_image *g, uint32_t mem_kb,
		      const struct vm_env *e)
{
	const char *err = vm_build(vm, id, g, mem_kb, e);
	if (err)
		return err;
	trace_vm(id, TEV_VM_create, "guest=%s mem=%lluK mode=%s entry=0x%llx image=%llu platform=%s", g->name,
		 (unsigned long long)(vm->mem_size >> 10), mode_name(g->mode), (unsigned long long)vm->start.rip,
		 (unsigned long long)(vm->pc_on ? vm->pc.kernel_len : (uint64_t)(g->end - g->start)),
		 vm->pc_on ? "pc" : "bare");
	if (vm->pc_on)
		pc_report_kernel(vm);
	return NULL;
}

void vm_release(struct vm *vm, struct pagealloc *pool)
{
	if (vm->mem_pa)
		pagealloc_put(pool, vm->mem_pa, mem_pages(vm));
	if (vm->ept_pa) {
		/* Cached translations of this EPT must not outlive its pages. */
		struct vmx_result r = vmx_invept_global();
		if (r.status != VMX_OK)
			trace_vm(vm->id, TEV_VM_error, "what=\"INVEPT failed\"");
		pagealloc_put(pool, vm->ept_pa, vm->ept_pages);
	}
	if (vm->pc.msr_bitmap_pa)
		pagealloc_put(pool, vm->pc.msr_bitmap_pa, 1);
	if (vm->vmcs_pa)
		pagealloc_put(pool, vm->vmcs_pa, 1);
	vm->mem_pa = vm->ept_pa = vm->vmcs_pa = vm->pc.msr_bitmap_pa = 0;
}
