/* Reading whole files from the boot volume into memory that outlives the
 * firmware, and the linux guest's files among them (docs/linux.md).
 *
 * A file is read into pages of EfiLoaderData below 4 GiB, where the
 * hypervisor's identity map reaches them after ExitBootServices, sized
 * from the file's EFI_FILE_INFO (UEFI spec 13.5). A missing or unreadable
 * file is reported as NULL; the caller decides what that means. */
#include <efi.h>
#include <efilib.h>
#include "boot/uefi/efi_files.h"

#define BELOW_4G      0xffffffffull
#define FILE_NAME_MAX 128

static void efi_file_name(const char *name, CHAR16 *wname)
{
	UINTN i;
	for (i = 0; name[i] && i < FILE_NAME_MAX - 1; i++)
		wname[i] = name[i] == '/' ? '\\' : (CHAR16)name[i];
	wname[i] = 0;
}

static UINTN efi_file_pages(UINTN len)
{
	return EFI_SIZE_TO_PAGES(len + 1);      /* one byte more for the NUL */
}

/* Reads until the whole file is in buf; a short read of zero bytes before
 * the end is an error (the file changed or the driver failed). */
static int efi_read_all(EFI_FILE_HANDLE f, char *buf, UINTN len)
{
	UINTN done = 0;
	while (done < len) {
		UINTN n = len - done;
		if (EFI_ERROR(uefi_call_wrapper(f->Read, 3, f, &n, buf + done)) || n == 0)
			return 0;
		done += n;
	}
	return 1;
}

static char *efi_load(EFI_FILE_HANDLE f, UINTN *len)
{
	EFI_FILE_INFO *info = LibFileInfo(f);
	if (!info)
		return NULL;
	UINTN size = info->FileSize;
	FreePool(info);
	EFI_PHYSICAL_ADDRESS addr = BELOW_4G;
	if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData,
					efi_file_pages(size), &addr)))
		return NULL;
	char *buf = (char *)addr;
	if (!efi_read_all(f, buf, size)) {
		efi_free_file(buf, size);
		return NULL;
	}
	buf[size] = 0;
	*len = size;
	return buf;
}

/* The file NAME ('/' or '\' between folders) as a NUL-terminated buffer,
 * its length in *len, or NULL when it is missing or cannot be read. */
void *efi_read_file(EFI_FILE_HANDLE root, const char *name, UINTN *len)
{
	CHAR16 wname[FILE_NAME_MAX];
	efi_file_name(name, wname);
	EFI_FILE_HANDLE f;
	*len = 0;
	if (EFI_ERROR(uefi_call_wrapper(root->Open, 5, root, &f, wname, EFI_FILE_MODE_READ, 0)))
		return NULL;
	char *buf = efi_load(f, len);
	uefi_call_wrapper(f->Close, 1, f);
	return buf;
}

void efi_free_file(void *data, UINTN len)
{
	uefi_call_wrapper(BS->FreePages, 2, (EFI_PHYSICAL_ADDRESS)data, efi_file_pages(len));
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Whether one vms= item list (up to a space) names GUEST; an item is a
 * guest's name, optionally followed by ':' and its options (linux:128M). */
static int vms_lists_guest(const char *p, const char *guest)
{
	UINTN glen = strlena((CHAR8 *)guest);
	while (*p && !is_space(*p)) {
		const char *name = p;
		while (*p && !is_space(*p) && *p != ':' && *p != ',')
			p++;
		if ((UINTN)(p - name) == glen && !strncmpa((CHAR8 *)name, (CHAR8 *)guest, glen))
			return 1;
		while (*p && !is_space(*p) && *p != ',')
			p++;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* Whether a vms= word of CMDLINE lists the guest named GUEST. */
int efi_cmdline_lists_guest(const char *cmdline, const char *guest)
{
	static const char key[] = "vms=";
	for (const char *p = cmdline; *p; p++) {
		if ((p != cmdline && !is_space(p[-1])) || strncmpa((CHAR8 *)p, (CHAR8 *)key, sizeof(key) - 1))
			continue;
		if (vms_lists_guest(p + sizeof(key) - 1, guest))
			return 1;
	}
	return 0;
}

static struct boot_file efi_boot_file(EFI_FILE_HANDLE root, const char *name)
{
	UINTN len;
	void *data = efi_read_file(root, name, &len);
	return (struct boot_file){ data, data ? len : 0 };
}

/* \linux\cmdline holds one line; what follows its first CR or LF is
 * dropped. */
static const char *efi_linux_cmdline(EFI_FILE_HANDLE root)
{
	UINTN len;
	char *line = efi_read_file(root, "linux/cmdline", &len);
	for (UINTN i = 0; line && i < len; i++)
		if (line[i] == '\n' || line[i] == '\r') {
			line[i] = 0;
			break;
		}
	return line;
}

/* The linux guest's kernel, initramfs and command line, read only when
 * the command line runs that guest; each one missing stays NULL, and the
 * hypervisor core names what it lacks. */
void efi_read_linux(EFI_FILE_HANDLE root, struct bootinfo *bi)
{
	if (!efi_cmdline_lists_guest(bi->cmdline, "linux"))
		return;
	bi->linux_kernel = efi_boot_file(root, "linux/bzImage");
	bi->linux_initrd = efi_boot_file(root, "linux/initrd.gz");
	bi->linux_cmdline = efi_linux_cmdline(root);
}
