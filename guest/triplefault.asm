; triplefault: loads an IDT with limit 0, so no vector can be delivered,
; then executes INT3. Delivering it faults (#GP), delivering the #GP
; faults again (#DF), delivering the #DF faults: a triple fault, and the
; VMM stops the VM. 32-bit protected mode.
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"

start:
	lidt [idtr]
	int3
	ud2                             ; not reached
	PUTS survived, survived_len
	hlt

idtr:     dw 0                      ; limit 0: every vector is outside the IDT
          dd 0
survived: db "BUG: triplefault survived", 10
survived_len equ $ - survived
