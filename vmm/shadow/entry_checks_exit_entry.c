/* Checks on the VM-exit and VM-entry control fields, SDM Vol. 3C
 * 27.2.1.2 and 27.2.1.3, in the table right after the execution controls'
 * (entry_checks_ctl.c). A failure is VMfailValid with VM-instruction error
 * 7 ("VM entry with invalid control fields"). */
#include "vmm/shadow/entry_checks_impl.h"

/* 27.2.1.2 VM-exit control fields */

static bool exit_reserved(struct check_ctx *c)
{
	return ctl_fits(c->caps->exit, F(exit_controls)) ||
	       check_fail(c, VMCS_exit_controls);
}

static bool exit_preempt(struct check_ctx *c)
{
	return (F(pin_controls) & PIN_PREEMPTION_TIMER) ||
	       !(F(exit_controls) & EXIT_SAVE_PREEMPTION_TIMER) ||
	       check_fail(c, VMCS_exit_controls);
}

/* An MSR area: 16-byte aligned, and its last byte within MAXPHYADDR. */
static bool msr_area(struct check_ctx *c, enum vmcs_field count, enum vmcs_field addr)
{
	uint64_t n = check_field(c, count);
	if (n == 0)
		return true;
	uint64_t a = check_field(c, addr);
	if ((a & 0xf) || !addr_fits(c, a) || !addr_fits(c, a + n * 16 - 1))
		return check_fail(c, addr);
	return true;
}

static bool exit_msr_store(struct check_ctx *c)
{
	return msr_area(c, VMCS_exit_msr_store_count, VMCS_exit_msr_store_addr);
}

static bool exit_msr_load(struct check_ctx *c)
{
	return msr_area(c, VMCS_exit_msr_load_count, VMCS_exit_msr_load_addr);
}

/* 27.2.1.3 VM-entry control fields */

static bool entry_reserved(struct check_ctx *c)
{
	return ctl_fits(c->caps->entry, F(entry_controls)) ||
	       check_fail(c, VMCS_entry_controls);
}

/* Type 1 is reserved; type 7 (other event) needs monitor-trap-flag support. */
static bool intr_type(struct check_ctx *c)
{
	uint64_t i = F(entry_intr_info);
	if (!(i & INTR_VALID))
		return true;
	unsigned t = INTR_TYPE(i);
	if (t == 1 || (t == INTR_OTHER && !(c->caps->proc.may_be_1 & PROC_MTF)))
		return check_fail(c, VMCS_entry_intr_info);
	return true;
}

static bool intr_vector(struct check_ctx *c)
{
	uint64_t i = F(entry_intr_info);
	if (!(i & INTR_VALID))
		return true;
	unsigned t = INTR_TYPE(i), v = INTR_VECTOR(i);
	if ((t == INTR_NMI && v != 2) || (t == INTR_HW_EXC && v > 31) ||
	    (t == INTR_OTHER && v != 0))
		return check_fail(c, VMCS_entry_intr_info);
	return true;
}

/* Deliver-error-code is 1 exactly for hardware exceptions that push one
 * (#DF #TS #NP #SS #GP #PF #AC, and #CP where the processor has CET),
 * unless unrestricted guest runs with CR0.PE = 0 (real mode pushes no
 * error code). Where IA32_VMX_BASIC bit 56 is set, a hardware exception
 * in protected mode may come with an error code or without one. */
static bool intr_error_code(struct check_ctx *c)
{
	uint64_t i = F(entry_intr_info);
	if (!(i & INTR_VALID))
		return true;
	unsigned v = INTR_VECTOR(i);
	bool pm = !(ctl_proc2(c) & PROC2_UNRESTRICTED) || (F(guest_cr0) & CR0_PE);
	bool hw = INTR_TYPE(i) == INTR_HW_EXC;
	if (hw && pm && (c->caps->basic & BASIC_ANY_ERROR_CODE))
		return true;
	bool exc = hw && (v == 8 || (v >= 10 && v <= 14) || v == 17 || (v == 21 && c->caps->cet));
	bool want = pm && exc;
	return want == !!(i & INTR_DELIVER_ERR) || check_fail(c, VMCS_entry_intr_info);
}

static bool intr_reserved(struct check_ctx *c)
{
	uint64_t i = F(entry_intr_info);
	return !(i & INTR_VALID) || (i & 0x7ffff000u) == 0 ||
	       check_fail(c, VMCS_entry_intr_info);
}

static bool intr_error_reserved(struct check_ctx *c)
{
	uint64_t i = F(entry_intr_info);
	if (!(i & INTR_VALID) || !(i & INTR_DELIVER_ERR))
		return true;
	return (F(entry_exception_error) & 0xffff0000u) == 0 ||
	       check_fail(c, VMCS_entry_exception_error);
}

/* Software interrupts and exceptions need an instruction length of 1-15
 * (0 too where IA32_VMX_MISC[30] says so). */
static bool intr_instr_len(struct check_ctx *c)
{
	uint64_t i = F(entry_intr_info);
	unsigned t = INTR_TYPE(i);
	if (!(i & INTR_VALID) || t < INTR_SW_INT || t > INTR_SW_EXC)
		return true;
	uint64_t len = F(entry_instr_len);
	if ((len >= 1 && len <= 15) || (len == 0 && (c->caps->misc & MISC_INJECT_ZERO_LEN)))
		return true;
	return check_fail(c, VMCS_entry_instr_len);
}

static bool entry_msr_load(struct check_ctx *c)
{
	return msr_area(c, VMCS_entry_msr_load_count, VMCS_entry_msr_load_addr);
}

/* VM entry outside SMM: "entry to SMM" and "deactivate dual-monitor
 * treatment" are 0. */
static bool entry_smm(struct check_ctx *c)
{
	return !(F(entry_controls) & (ENTRY_SMM | ENTRY_DUAL_MONITOR)) ||
	       check_fail(c, VMCS_entry_controls);
}

#define PIN   VMCS_pin_controls
#define PROC  VMCS_proc_controls
#define PROC2 VMCS_proc_controls2
#define INTR  VMCS_entry_intr_info

const struct entry_check entry_checks_exit_entry[] = {
	CHECK("ctl.exit.reserved", "27.2.1.2", exit_reserved, FAIL_CTL, VMCS_exit_controls),
	CHECK("ctl.exit.preempt_timer", "27.2.1.2", exit_preempt, FAIL_CTL,
	      PIN, VMCS_exit_controls),
	CHECK("ctl.exit.msr_store", "27.2.1.2", exit_msr_store, FAIL_CTL,
	      VMCS_exit_msr_store_count, VMCS_exit_msr_store_addr),
	CHECK("ctl.exit.msr_load", "27.2.1.2", exit_msr_load, FAIL_CTL,
	      VMCS_exit_msr_load_count, VMCS_exit_msr_load_addr),
	CHECK("ctl.entry.reserved", "27.2.1.3", entry_reserved, FAIL_CTL, VMCS_entry_controls),
	CHECK("ctl.entry.intr.type", "27.2.1.3", intr_type, FAIL_CTL, INTR),
	CHECK("ctl.entry.intr.vector", "27.2.1.3", intr_vector, FAIL_CTL, INTR),
	CHECK("ctl.entry.intr.error_code", "27.2.1.3", intr_error_code, FAIL_CTL,
	      INTR, PROC, PROC2, VMCS_guest_cr0),
	CHECK("ctl.entry.intr.reserved", "27.2.1.3", intr_reserved, FAIL_CTL, INTR),
	CHECK("ctl.entry.intr.error_reserved", "27.2.1.3", intr_error_reserved, FAIL_CTL,
	      INTR, VMCS_entry_exception_error),
	CHECK("ctl.entry.intr.instr_len", "27.2.1.3", intr_instr_len, FAIL_CTL,
	      INTR, VMCS_entry_instr_len),
	CHECK("ctl.entry.msr_load", "27.2.1.3", entry_msr_load, FAIL_CTL,
	      VMCS_entry_msr_load_count, VMCS_entry_msr_load_addr),
	CHECK("ctl.entry.smm", "27.2.1.3", entry_smm, FAIL_CTL, VMCS_entry_controls),
};
const unsigned entry_checks_exit_entry_count = sizeof(entry_checks_exit_entry) / sizeof(entry_checks_exit_entry[0]);
