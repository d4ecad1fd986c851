/* The local xAPIC's interrupt command register, for the start-up IPIs and
 * the NMI doorbell (SDM Vol. 3A 11.6.1 ICR, 11.4.4 base, 9.4.4 MP
 * initialization). MMIO at the base IA32_APIC_BASE names; both boot paths
 * identity-map it. x2APIC mode (IA32_APIC_BASE.EXTD) is not driven. */
#ifndef ARCH_X86_LAPIC_H
#define ARCH_X86_LAPIC_H
#include <stdbool.h>
#include <stdint.h>

/* NULL when the local APIC is usable in xAPIC mode, else why not. */
const char *lapic_init(void);
uint32_t lapic_id(void);
/* Send INIT, or a start-up IPI with the page number of the real-mode entry,
 * or an NMI, to one APIC ID; false when the ICR stayed busy. */
bool lapic_send_init(uint32_t apic_id);
bool lapic_send_sipi(uint32_t apic_id, uint8_t page);
bool lapic_send_nmi(uint32_t apic_id);
/* A bounded busy wait of about n PAUSEs: no timer is needed. */
void lapic_spin(uint32_t n);

#endif
