; probe64: the differential mode's 64-bit guest (entrycheck= cases with
; probe=long64). It jumps to its alias above 4 GiB and exits on HLT there,
; so the RIP that exit saves is at or above 4 GiB: the cases that resume
; it hold the shadow's 64-bit inference (vmm/shadow/vmcs_shadow.h) to the
; CPU. If a case disabled HLT exiting, it spins until the VMX-preemption
; timer ends the run.
bits 64
org 0x1000
%include "lib.inc"

start:
	mov rax, GUEST_HIGH_ALIAS + high
	jmp rax
high:
	hlt
	jmp high
