/* UEFI boot path (gnu-efi): read the command line, take memory from boot
 * services, note what memory exists, exit boot services and call hv_main.
 *
 * The command line is the image's load options (as the UEFI shell or a
 * boot entry passes them); when there are none, the file
 * \shadowvisor.cmdline on the same volume is read instead, so a plain
 * \EFI\BOOT\BOOTX64.EFI boot can be configured too. An entrycheck=FILE
 * case file is read from that volume as well. */
#include <efi.h>
#include <efilib.h>
#include "vmm/bootinfo.h"
#include "arch/x86/cpu.h"
#include "arch/x86/power.h"
#include "arch/x86/serial.h"

#define POOL_PAGES  16384        /* 64 MiB for the hypervisor */
#define CMDLINE_MAX 1024
#define CASEFILE_MAX (256 * 1024)

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

static UINTN read_file(EFI_FILE_HANDLE root, const char *name, char *buf, UINTN size)
{
	CHAR16 wname[128];
	UINTN i;
	for (i = 0; name[i] && i < 127; i++)
		wname[i] = name[i] == '/' ? '\\' : (CHAR16)name[i];
	wname[i] = 0;
	EFI_FILE_HANDLE f;
	if (EFI_ERROR(uefi_call_wrapper(root->Open, 5, root, &f, wname, EFI_FILE_MODE_READ, 0)))
		return 0;
	UINTN n = size;
	if (EFI_ERROR(uefi_call_wrapper(f->Read, 3, f, &n, buf)))
		n = 0;
	uefi_call_wrapper(f->Close, 1, f);
	return n;
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
		n = read_file(root, "shadowvisor.cmdline", cmdline, CMDLINE_MAX - 1);
		cmdline[n] = 0;
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
		char *buf = NULL;
		if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePool, 3, EfiLoaderData, CASEFILE_MAX, (void **)&buf)))
			return;
		bi.entrycheck_len = read_file(root, name, buf, CASEFILE_MAX);
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
	if (root)
		read_entrycheck(root);
	bi.cmdline = cmdline;
	bi.acpi_rsdp = find_rsdp(st);
	bi.ap_page = reserve_ap_page();

	EFI_PHYSICAL_ADDRESS pool = 0xffffffff;
	UINTN pages = POOL_PAGES;
	while (pages >= 1024 && EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress,
							     EfiLoaderData, pages, &pool))) {
		pages /= 2;
		pool = 0xffffffff;
	}
	if (pages >= 1024) {
		bi.pool_base = pool;
		bi.pool_size = pages * 4096;
	}

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
