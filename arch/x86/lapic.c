/* The local xAPIC's ICR: write the destination (high half), then the
 * command (low half, which sends), then wait for the delivery status to
 * read idle (SDM Vol. 3A 11.6.1). */
#include "arch/x86/lapic.h"
#include "arch/x86/cpu.h"

#define MSR_IA32_APIC_BASE 0x1b
#define APIC_BASE_ENABLE   (1ull << 11)   /* SDM Vol. 3A 11.4.4 */
#define APIC_BASE_EXTD     (1ull << 10)   /* x2APIC mode */
#define APIC_BASE_MASK     0xffffff000ull
#define APIC_ID            0x20
#define APIC_ICR_LO        0x300
#define APIC_ICR_HI        0x310
#define ICR_BUSY           (1u << 12)     /* delivery status: send pending */
#define ICR_ASSERT         (1u << 14)
#define ICR_NMI            (4u << 8)      /* delivery modes, bits 10:8 */
#define ICR_INIT           (5u << 8)
#define ICR_STARTUP        (6u << 8)
#define ICR_WAIT_MAX       1000000u

static volatile uint32_t *lapic;

static uint32_t reg_read(uint32_t off)
{
	return lapic[off / 4];
}

static void reg_write(uint32_t off, uint32_t v)
{
	lapic[off / 4] = v;
}

const char *lapic_init(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	if (!(base & APIC_BASE_ENABLE))
		return "the local APIC is disabled (IA32_APIC_BASE.EN is 0)";
	if (base & APIC_BASE_EXTD)
		return "the local APIC is in x2APIC mode, which is not driven";
	lapic = (volatile uint32_t *)(uintptr_t)(base & APIC_BASE_MASK);
	return 0;
}

uint32_t lapic_id(void)
{
	return reg_read(APIC_ID) >> 24;
}

void lapic_spin(uint32_t n)
{
	while (n--)
		__asm__ volatile("pause" ::: "memory");
}

static bool icr_send(uint32_t apic_id, uint32_t cmd)
{
	reg_write(APIC_ICR_HI, apic_id << 24);
	reg_write(APIC_ICR_LO, cmd);
	for (uint32_t i = 0; i < ICR_WAIT_MAX; i++) {
		if (!(reg_read(APIC_ICR_LO) & ICR_BUSY))
			return true;
		__asm__ volatile("pause");
	}
	return false;
}

bool lapic_send_init(uint32_t apic_id)
{
	return icr_send(apic_id, ICR_INIT | ICR_ASSERT);
}

bool lapic_send_sipi(uint32_t apic_id, uint8_t page)
{
	return icr_send(apic_id, ICR_STARTUP | ICR_ASSERT | page);
}

bool lapic_send_nmi(uint32_t apic_id)
{
	return icr_send(apic_id, ICR_NMI | ICR_ASSERT);
}
