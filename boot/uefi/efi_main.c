/* UEFI boot path (gnu-efi): read the command line, take memory from boot
 * services, note what memory exists, exit boot services and call hv_main.
 *
 * The command line is the image's load options (as the UEFI shell or a
 * boot entry passes them); when there are none, the file
 * \shadowvisor.cmdline on the same volume is read instead, so a plain
 * \EFI\BOOT\BOOTX64.EFI boot can be configured too. An entrycheck=FILE
 * case file is read from that volume as well, and so are the linux guest's
 * files when vms= lists it (boot/uefi/efi_files.c). The hypervisor's page
 * pool is then taken from the largest free range the firmware reports. */
#include <efi.h>
#include <efilib.h>
#include "vmm/bootinfo.h"
#include "boot/uefi/efi_files.h"
#include "arch/x86/cpu.h"
#include "arch/x86/power.h"
#include "arch/x86/serial.h"

#define CMDLINE_MAX     1024
#define BELOW_4G        0xffffffffull
#define POOL_MAX_BYTES  (512ull << 20)   /* the page allocator's most */
#define POOL_MIN_PAGES  1024
#define FIRMWARE_KEEPS  (16ull << 20)    /* of the pool's range, for boot services */

static EFI_RUNTIME_SERVICES *efi_rt;
static char cmdline[CMDLINE_MAX];
static struct bootinfo bi;

static void __attribute__((noreturn)) efi_power_off(int status)
{
	power_off_emulators(status);
	uefi_call_wrapper(efi_rt->ResetSystem, 4, EfiResetShutdown,
			  status ? EFI_ABORTED : EFI_SUCCESS, 0, NULL);
	cpu_halt_forever();
	__builtin_unreachable();
}

static void read_cmdline(EFI_LOADED_IMAGE *li, EFI_FILE_HANDLE root)
{
	UINTN n = 0;
	CHAR16 *opt = li->LoadOptions;
	for (UINTN i = 0; opt && i < li->LoadOptionsSize / 2 && opt[i] && n + 1 < CMDLINE_MAX; i++)
		cmdline[n++] = opt[i] < 0x80 ? (char)opt[i] : '?';
	cmdline[n] = 0;
	int has_option = 0;
	for (UINTN i = 0; i < n; i++)
		has_option |= cmdline[i] == '=';
	if (!has_option && root) {
		UINTN len;
		char *file = efi_read_file(root, "shadowvisor.cmdline", &len);
		for (n = 0; file && n < len && n + 1 < CMDLINE_MAX; n++)
			cmdline[n] = file[n];
		cmdline[n] = 0;
		if (file)
			efi_free_file(file, len);
		for (UINTN i = 0; i < n; i++)
			if (cmdline[i] == '\r' || cmdline[i] == '\n' || cmdline[i] == '\t')
				cmdline[i] = ' ';
		while (n && cmdline[n - 1] == ' ')
			cmdline[--n] = 0;
	}
}

/* entrycheck=FILE (not random:...) names a case file on this volume. */
static void read_entrycheck(EFI_FILE_HANDLE root)
{
	static const char key[] = "entrycheck=";
	for (char *p = cmdline; *p; p++) {
		if ((p != cmdline && p[-1] != ' ') || strncmpa((CHAR8 *)p, (CHAR8 *)key, sizeof(key) - 1))
			continue;
		char name[128];
		UINTN k = 0;
		for (p += sizeof(key) - 1; *p && *p != ' ' && *p != '\n' && k < 127; p++)
			name[k++] = *p;
		name[k] = 0;
		if (k >= 7 && !strncmpa((CHAR8 *)name, (CHAR8 *)"random:", 7))
			return;
		UINTN len;
		char *buf = efi_read_file(root, name, &len);
		bi.entrycheck_len = buf ? len : 0;
		bi.entrycheck = bi.entrycheck_len ? buf : NULL;
		return;
	}
}

/* The ACPI 2.0 table (RSDP with the XSDT), else the 1.0 one. */
static UINT64 find_rsdp(EFI_SYSTEM_TABLE *st)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
	UINT64 v1 = 0;
	for (UINTN i = 0; i < st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &st->ConfigurationTable[i];
		if (!CompareGuid(&t->VendorGuid, &AcpiTableGuid))
			v1 = (UINT64)t->VendorTable;
		if (!CompareGuid(&t->VendorGuid, &acpi20))
			return (UINT64)t->VendorTable;
	}
	return v1;
}

/* The start-up page of the other CPUs: below 1 MiB (a start-up IPI's
 * vector is a page number, SDM Vol. 3A 11.6.1), taken before the firmware
 * is left so that nothing else holds it. */
static UINT64 reserve_ap_page(void)
{
	EFI_PHYSICAL_ADDRESS page = 0xfffff;
	if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderCode, 1, &page)))
		return 0;
	return page;
}

/* The pool's size: the largest free range below 4 GiB (what is taken from
 * it is identity-mapped), less what boot services still need, at most
 * POOL_MAX_BYTES; POOL_MAX_BYTES when the map cannot be read. */
static UINTN pool_pages_wanted(void)
{
	UINTN entries, key, dsize;
	UINT32 dver;
	EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&entries, &key, &dsize, &dver);
	if (!map)
		return POOL_MAX_BYTES / EFI_PAGE_SIZE;
	UINT64 largest = 0;
	for (UINTN i = 0; i < entries; i++) {
		EFI_MEMORY_DESCRIPTOR *d = (void *)((char *)map + i * dsize);
		UINT64 lo = d->PhysicalStart, hi = lo + d->NumberOfPages * EFI_PAGE_SIZE;
		if (hi > BELOW_4G + 1)
			hi = BELOW_4G + 1;
		if (d->Type == EfiConventionalMemory && hi > lo && hi - lo > largest)
			largest = hi - lo;
	}
	FreePool(map);
	UINT64 bytes = largest > FIRMWARE_KEEPS ? largest - FIRMWARE_KEEPS : 0;
	return (bytes < POOL_MAX_BYTES ? bytes : POOL_MAX_BYTES) / EFI_PAGE_SIZE;
}

/* Takes the pool below 4 GiB, halving the size while the firmware refuses. */
static void take_pool(void)
{
	EFI_PHYSICAL_ADDRESS pool = BELOW_4G;
	UINTN pages = pool_pages_wanted();
	while (pages >= POOL_MIN_PAGES && EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress,
								       EfiLoaderData, pages, &pool))) {
		pages /= 2;
		pool = BELOW_4G;
	}
	if (pages >= POOL_MIN_PAGES) {
		bi.pool_base = pool;
		bi.pool_size = pages * EFI_PAGE_SIZE;
	}
}

static int usable_type(UINT32 t)
{
	return t == EfiConventionalMemory || t == EfiBootServicesCode || t == EfiBootServicesData ||
	       t == EfiLoaderCode || t == EfiLoaderData;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	bi.tsc_boot = rdtsc();
	InitializeLib(image, st);
	efi_rt = st->RuntimeServices;
	bi.path = "uefi";
	bi.power_off = efi_power_off;

	EFI_LOADED_IMAGE *li = NULL;
	uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li);
	EFI_FILE_HANDLE root = li ? LibOpenRoot(li->DeviceHandle) : NULL;
	if (li)
		read_cmdline(li, root);
	bi.cmdline = cmdline;
	if (root) {
		read_entrycheck(root);
		efi_read_linux(root, &bi);
	}
	bi.acpi_rsdp = find_rsdp(st);
	bi.ap_page = reserve_ap_page();
	take_pool();

	UINTN entries, key, dsize;
	UINT32 dver;
	EFI_STATUS s = EFI_LOAD_ERROR;
	for (int tries = 0; tries < 3 && EFI_ERROR(s); tries++) {
		EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&entries, &key, &dsize, &dver);
		if (!map)
			continue;
		bi.usable_bytes = 0;
		bi.usable_ranges = 0;
		for (UINTN i = 0; i < entries; i++) {
			EFI_MEMORY_DESCRIPTOR *d = (void *)((char *)map + i * dsize);
			if (usable_type(d->Type)) {
				bi.usable_bytes += d->NumberOfPages * 4096;
				bi.usable_ranges++;
			}
		}
		s = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
	}
	__asm__ volatile("cli");
	serial_init();
	if (EFI_ERROR(s)) {
		serial_write("hv ev=error what=\"ExitBootServices failed\"\n", 44);
		efi_power_off(1);
	}
	hv_main(&bi);
}
