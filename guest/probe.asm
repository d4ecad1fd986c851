; probe: the differential mode's guest (entrycheck=). A successful entry
; exits at once on HLT; if a case disabled HLT exiting, it spins until the
; VMX-preemption timer ends the run. 32-bit protected mode.
bits 32
org 0x1000
start:
	hlt
	jmp start
