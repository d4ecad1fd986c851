/* The processors the firmware reports, from the ACPI MADT (ACPI 6.x,
 * 5.2.5 RSDP, 5.2.7 RSDT, 5.2.8 XSDT, 5.2.12 MADT, 5.2.12.2 Processor
 * Local APIC structure). Pure C over memory the caller says is mapped at
 * its physical address: host unit tests hand it byte fixtures. */
#ifndef ARCH_X86_MADT_H
#define ARCH_X86_MADT_H
#include <stddef.h>
#include <stdint.h>

#define MADT_CPUS_MAX 64          /* local APIC entries kept; more are counted */

struct madt_cpus {
	unsigned enabled;             /* entries with flags.Enabled (bit 0) */
	unsigned disabled;            /* entries without it (online-capable or absent) */
	unsigned kept;                /* enabled entries stored in apic_id[] */
	uint8_t apic_id[MADT_CPUS_MAX];
	uint32_t lapic_base;          /* the MADT's Local Interrupt Controller Address */
};

/* Parse a MADT (table bytes from its "APIC" signature on): NULL, or what is
 * wrong with it. Checks the signature, the length and the checksum. */
const char *madt_parse(const uint8_t *madt, size_t len, struct madt_cpus *out);

/* From the RSDP (revision 2's XSDT, else the RSDT) to the MADT's CPUs:
 * NULL, or what was missing or malformed. */
const char *acpi_madt_cpus(uint64_t rsdp_pa, struct madt_cpus *out);

#endif
