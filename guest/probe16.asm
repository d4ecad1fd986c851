; probe16: the differential mode's real-mode guest (entrycheck= cases with
; probe=real16; CR0.PE = 0 under unrestricted guest). A successful entry
; exits at once on HLT; if a case disabled HLT exiting, it spins until the
; VMX-preemption timer ends the run.
bits 16
org 0x1000
start:
	hlt
	jmp start
