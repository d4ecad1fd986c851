/* Every named bit of the VMX controls and of the registers the VMCS holds:
 * one name per bit, for the VMM's set-up, the shadow's entry checks and the
 * differential mode alike. Positions from SDM Vol. 3C chapter 25 (VMCS
 * fields), Vol. 3D Appendix A (capability MSRs) and Vol. 3A chapter 2
 * (control registers, RFLAGS, EFER). */
#ifndef ARCH_X86_VMX_CONTROLS_H
#define ARCH_X86_VMX_CONTROLS_H

/* Pin-based VM-execution controls (25.6.1) */
#define PIN_EXT_INT_EXITING   (1u << 0)
#define PIN_NMI_EXITING       (1u << 3)
#define PIN_VIRTUAL_NMI       (1u << 5)
#define PIN_PREEMPTION_TIMER  (1u << 6)

/* Primary processor-based VM-execution controls (25.6.2) */
#define PROC_INTR_WINDOW      (1u << 2)
#define PROC_HLT_EXITING      (1u << 7)
#define PROC_TPR_SHADOW       (1u << 21)
#define PROC_NMI_WINDOW       (1u << 22)
#define PROC_UNCOND_IO        (1u << 24)
#define PROC_IO_BITMAPS       (1u << 25)
#define PROC_MTF              (1u << 27)
#define PROC_MSR_BITMAPS      (1u << 28)
#define PROC_SECONDARY        (1u << 31)

/* Secondary processor-based VM-execution controls (25.6.2) */
#define PROC2_APIC_ACCESS     (1u << 0)
#define PROC2_EPT             (1u << 1)
#define PROC2_X2APIC          (1u << 4)
#define PROC2_VPID            (1u << 5)
#define PROC2_UNRESTRICTED    (1u << 7)
#define PROC2_APIC_REG        (1u << 8)
#define PROC2_VID             (1u << 9)
#define PROC2_VMFUNC          (1u << 13)
#define PROC2_VMCS_SHADOW     (1u << 14)
#define PROC2_PML             (1u << 17)
#define PROC2_EPT_VE          (1u << 18)
#define PROC2_MBEC            (1u << 22)
#define PROC2_TSC_SCALING     (1u << 25)

/* VM-function controls (25.6.14) */
#define VMFUNC_EPTP_SWITCH    (1ull << 0)

/* VM-exit controls (25.7.1) */
#define EXIT_HOST_AS_SIZE     (1u << 9)
#define EXIT_LOAD_PERF        (1u << 12)
#define EXIT_SAVE_PAT         (1u << 18)
#define EXIT_LOAD_PAT         (1u << 19)
#define EXIT_SAVE_EFER        (1u << 20)
#define EXIT_LOAD_EFER        (1u << 21)
#define EXIT_SAVE_PREEMPTION_TIMER (1u << 22)

/* VM-entry controls (25.8.1) */
#define ENTRY_LOAD_DEBUG      (1u << 2)
#define ENTRY_IA32E_GUEST     (1u << 9)
#define ENTRY_SMM             (1u << 10)
#define ENTRY_DUAL_MONITOR    (1u << 11)
#define ENTRY_LOAD_PERF       (1u << 13)
#define ENTRY_LOAD_PAT        (1u << 14)
#define ENTRY_LOAD_EFER       (1u << 15)

/* VM-entry interruption-information field (25.8.3) */
#define INTR_VALID            (1u << 31)
#define INTR_DELIVER_ERR      (1u << 11)
#define INTR_TYPE(x)          (((x) >> 8) & 7)
#define INTR_VECTOR(x)        ((x) & 0xff)
enum { INTR_EXT = 0, INTR_NMI = 2, INTR_HW_EXC = 3, INTR_SW_INT = 4,
       INTR_PRIV_SW_EXC = 5, INTR_SW_EXC = 6, INTR_OTHER = 7 };

/* IA32_VMX_BASIC (A.1) */
#define BASIC_REVISION_MASK   0x7fffffffull   /* bits 30:0: the VMCS revision identifier */
#define BASIC_TRUE_CTLS       (1ull << 55)    /* the TRUE_* control MSRs exist */
#define BASIC_ANY_ERROR_CODE  (1ull << 56)    /* a hardware exception may come with or without an error code */

/* IA32_VMX_MISC (A.6) */
#define MISC_EXIT_SAVES_LMA   (1ull << 5)     /* an exit stores EFER.LMA into "IA-32e mode guest" */
#define MISC_ACTIVITY_HLT     (1ull << 6)
#define MISC_VMWRITE_ANY      (1ull << 29)    /* VMWRITE may write exit-information fields */
#define MISC_INJECT_ZERO_LEN  (1ull << 30)

/* IA32_VMX_EPT_VPID_CAP (A.10) */
#define EPTCAP_WALK4          (1ull << 6)
#define EPTCAP_WALK5          (1ull << 7)
#define EPTCAP_UC             (1ull << 8)
#define EPTCAP_WB             (1ull << 14)
#define EPTCAP_2MB            (1ull << 16)   /* PD entries may map 2 MiB pages */
#define EPTCAP_INVEPT         (1ull << 20)
#define EPTCAP_AD             (1ull << 21)
#define EPTCAP_INVEPT_ALL     (1ull << 26)

/* IA32_FEATURE_CONTROL (Vol. 3C 24.7) */
#define FC_LOCK               (1ull << 0)
#define FC_VMX_OUTSIDE_SMX    (1ull << 2)

/* Control registers, RFLAGS, EFER (Vol. 3A 2.5, 2.3, 2.2.1) */
#define CR0_PE                (1ull << 0)
#define CR0_ET                (1ull << 4)
#define CR0_NE                (1ull << 5)
#define CR0_PG                (1ull << 31)
#define CR4_PAE               (1ull << 5)
#define CR4_LA57              (1ull << 12)
#define CR4_VMXE              (1ull << 13)
#define CR4_PCIDE             (1ull << 17)
#define RFLAGS_TF             (1ull << 8)
#define RFLAGS_IF             (1ull << 9)
#define RFLAGS_VM             (1ull << 17)
#define EFER_LME              (1ull << 8)
#define EFER_LMA              (1ull << 10)
#define EFER_VALID            ((1ull << 0) | EFER_LME | EFER_LMA | (1ull << 11))

/* Segment access rights as the VMCS holds them (25.4.1) */
#define AR_TYPE(ar)           ((ar) & 0xf)
#define AR_S                  (1u << 4)
#define AR_DPL(ar)            (((ar) >> 5) & 3)
#define AR_P                  (1u << 7)
#define AR_L                  (1u << 13)
#define AR_DB                 (1u << 14)
#define AR_G                  (1u << 15)
#define AR_UNUSABLE           (1u << 16)
#define AR_RESERVED           0xfffe0f00u

#endif
