; spin: disables interrupts and spins forever without an exit. Only the
; VMX-preemption timer takes the CPU back; the scheduler's per-VM CPU
; budget stops it. 32-bit protected mode.
bits 32
org 0x1000

start:
	cli
	jmp $
