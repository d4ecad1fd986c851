/* The VMCALL ABI between guests and shadowvisor. Guests (nasm) get these
 * numbers from guest/hypercall.inc, generated from this file by the
 * Makefile: keep each value a plain "#define HC_NAME number" line.
 *
 * RAX = number, RBX/RCX/RDX = arguments; the result comes back in RAX.
 * Guest addresses are guest-physical; the VMM never touches memory outside
 * the guest's own. */
#ifndef VMM_HYPERCALL_H
#define VMM_HYPERCALL_H

#define HC_EXIT 0             /* end this VM; RBX = exit code (0 = success) */
#define HC_YIELD 1            /* give the CPU to the next VM */
#define HC_PUTS 2             /* print RCX bytes at guest address RBX as an out line */
#define HC_VMID 3             /* RAX = this VM's id */
/* Test only: VMWRITE field RBX := RCX (its low 32 bits outside 64-bit
 * mode, as for every argument) before the next entry.
 * Guest-state fields only; an unknown encoding, a read-only, control or
 * host field gets HC_EINVAL. */
#define HC_TEST_VMWRITE 256

#define HC_OK 0
#define HC_ENOSYS 0xffffffffffffffff   /* unknown hypercall number (-1) */
#define HC_EFAULT 0xfffffffffffffffe   /* buffer outside guest memory (-2) */
#define HC_EINVAL 0xfffffffffffffffd   /* bad length or argument (-3) */

#define HC_PUTS_MAX 256

#endif
