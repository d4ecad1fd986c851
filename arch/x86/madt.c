/* RSDP -> XSDT or RSDT -> MADT -> the Processor Local APIC entries. */
#include "arch/x86/madt.h"
#include <string.h>

#define SDT_HEADER_LEN     36     /* ACPI 5.2.6: signature .. creator revision */
#define MADT_ENTRIES_AT    44     /* header, local APIC address, flags */
#define MADT_TYPE_LAPIC    0
#define MADT_LAPIC_ENABLED 1u     /* Local APIC Flags bit 0 (ACPI 5.2.12.2) */
#define RSDP_V1_LEN        20
#define RSDP_V2_LEN        36

static uint32_t get32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static int sums_to_zero(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s == 0;
}

const char *madt_parse(const uint8_t *madt, size_t len, struct madt_cpus *out)
{
	memset(out, 0, sizeof(*out));
	if (len < MADT_ENTRIES_AT || memcmp(madt, "APIC", 4))
		return "no MADT (signature APIC)";
	uint32_t tlen = get32(madt + 4);
	if (tlen < MADT_ENTRIES_AT || tlen > len)
		return "MADT length out of range";
	if (!sums_to_zero(madt, tlen))
		return "MADT checksum is wrong";
	out->lapic_base = get32(madt + SDT_HEADER_LEN);
	for (uint32_t o = MADT_ENTRIES_AT; o + 2 <= tlen;) {
		uint8_t type = madt[o], elen = madt[o + 1];
		if (elen < 2 || o + elen > tlen)
			return "MADT entry runs past the table";
		if (type == MADT_TYPE_LAPIC && elen >= 8) {
			if (!(get32(madt + o + 4) & MADT_LAPIC_ENABLED))
				out->disabled++;
			else if (out->enabled++ < MADT_CPUS_MAX)
				out->apic_id[out->kept++] = madt[o + 3];
		}
		o += elen;
	}
	return NULL;
}

/* The table with signature sig among an RSDT's (4-byte) or XSDT's
 * (8-byte) entries, or NULL. */
static const uint8_t *sdt_find(const uint8_t *sdt, unsigned width, const char *sig)
{
	uint32_t len = get32(sdt + 4);
	if (len < SDT_HEADER_LEN || !sums_to_zero(sdt, len))
		return NULL;
	for (uint32_t o = SDT_HEADER_LEN; o + width <= len; o += width) {
		uint64_t pa = width == 8 ? get64(sdt + o) : get32(sdt + o);
		const uint8_t *t = (const uint8_t *)(uintptr_t)pa;
		if (t && !memcmp(t, sig, 4))
			return t;
	}
	return NULL;
}

const char *acpi_madt_cpus(uint64_t rsdp_pa, struct madt_cpus *out)
{
	const uint8_t *rsdp = (const uint8_t *)(uintptr_t)rsdp_pa;
	memset(out, 0, sizeof(*out));
	if (!rsdp)
		return "the firmware gave no ACPI RSDP";
	if (memcmp(rsdp, "RSD PTR ", 8) || !sums_to_zero(rsdp, RSDP_V1_LEN))
		return "the ACPI RSDP's signature or checksum is wrong";
	const uint8_t *madt = NULL;
	if (rsdp[15] >= 2 && sums_to_zero(rsdp, RSDP_V2_LEN) && get64(rsdp + 24))
		madt = sdt_find((const uint8_t *)(uintptr_t)get64(rsdp + 24), 8, "APIC");
	if (!madt && get32(rsdp + 16))
		madt = sdt_find((const uint8_t *)(uintptr_t)get32(rsdp + 16), 4, "APIC");
	if (!madt)
		return "no MADT in the ACPI tables";
	return madt_parse(madt, get32(madt + 4), out);
}
