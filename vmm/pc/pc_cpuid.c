/* What CPUID shows a PC guest: the host's processor, less what this
 * hypervisor does not give it. Hidden are the features whose
 * instructions or MSRs would fault or reach the host (VMX, SMX, MONITOR/
 * MWAIT, the local APIC and x2APIC, the TSC deadline, XSAVE and what
 * needs it, MTRRs, MCE/MCA, the PMU, thermal and power (APERF/MPERF),
 * RDTSCP and INVPCID (their VM-execution controls are off), the
 * speculation-control MSRs, TSX); leaves of features hidden, and the
 * TSC and crystal leaves 0x15 and 0x16 (the guest calibrates its TSC
 * against its own PIT), read as zero. One table: which leaves pass, and
 * which bits of each register survive. */
#include "vmm/pc/pc.h"

struct leaf_mask {
	uint32_t leaf;
	uint32_t eax, ebx, ecx, edx;    /* bits kept */
};

#define ALL 0xffffffffu
#define BIT(n) (1u << (n))

static const struct leaf_mask leaves[] = {
	{ 0x00000000, ALL, ALL, ALL, ALL },
	/* ECX: SSE3, PCLMULQDQ, SSSE3, CX16, SSE4.1/4.2, MOVBE, POPCNT, AES,
	 * RDRAND, the hypervisor bit; EDX: everything but MCE, APIC, MTRR, MCA, DS, ACPI, TM, PBE.
	 * EBX: no local APIC ID, one logical processor. */
	{ 0x00000001, ALL, 0x0000ffffu,
	  BIT(0) | BIT(1) | BIT(9) | BIT(13) | BIT(19) | BIT(20) | BIT(22) | BIT(23) | BIT(25) | BIT(30) | BIT(31),
	  ~(BIT(7) | BIT(9) | BIT(12) | BIT(14) | BIT(21) | BIT(22) | BIT(28) | BIT(29) | BIT(31)) },
	{ 0x00000002, ALL, ALL, ALL, ALL },
	{ 0x00000004, 0x000003ffu, ALL, ALL, ALL },    /* caches; no core or sharing counts */
	/* EBX: FSGSBASE, BMI1, SMEP, BMI2, ERMS, RDSEED, ADX, SMAP,
	 * CLFLUSHOPT, CLWB, SHA; ECX and EDX: none. */
	{ 0x00000007, 0, BIT(0) | BIT(3) | BIT(7) | BIT(8) | BIT(9) | BIT(18) | BIT(19) | BIT(20) | BIT(23) |
			      BIT(24) | BIT(29), 0, 0 },
	{ 0x80000000, ALL, ALL, ALL, ALL },
	/* ECX: LAHF, LZCNT, PREFETCHW; EDX: SYSCALL, NX, 1 GiB pages, LM. */
	{ 0x80000001, ALL, ALL, BIT(0) | BIT(5) | BIT(8), BIT(11) | BIT(20) | BIT(26) | BIT(29) },
	{ 0x80000002, ALL, ALL, ALL, ALL },
	{ 0x80000003, ALL, ALL, ALL, ALL },
	{ 0x80000004, ALL, ALL, ALL, ALL },
	{ 0x80000006, ALL, ALL, ALL, ALL },
	{ 0x80000007, 0, 0, 0, BIT(8) },                /* invariant TSC */
	{ 0x80000008, 0x0000ffffu, 0, 0, 0 },           /* address sizes */
};

void pc_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	if (leaf == 7 && subleaf != 0) {
		*r = (struct cpuid_regs){ 0 };     /* no subleaf 1 and up */
		return;
	}
	for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		const struct leaf_mask *m = &leaves[i];
		if (m->leaf != leaf)
			continue;
		r->eax &= m->eax;
		r->ebx &= m->ebx;
		r->ecx &= m->ecx;
		r->edx &= m->edx;
		if (leaf == 1)
			r->ebx |= 1u << 16;     /* one logical processor */
		if (leaf == 0 && r->eax > 7)
			r->eax = 7;             /* the highest basic leaf it is shown */
		return;
	}
	*r = (struct cpuid_regs){ 0 };
}
