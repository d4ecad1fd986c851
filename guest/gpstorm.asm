; gpstorm: an endless general-protection loop with no exits of its own.
; Loading DS with a selector beyond the GDT limit raises #GP(0x28); the
; handler checks the error code the VMM delivered, drops it and returns to
; the faulting MOV. The VMM stops the VM when the #GPs become a storm.
; 32-bit protected mode, its own GDT and IDT.
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"

start:
	lgdt [gdtr]
	lidt [idtr]
	mov ax, 0x28                    ; index 5: beyond the 3-entry GDT
.again:
	mov ds, ax                      ; #GP(0x28); the handler returns here
	jmp .again

on_gp:
	cmp dword [esp], 0x28           ; the error code must come with #GP
	jne bad_error
	add esp, 4
	iret

bad_error:
	mov eax, HC_EXIT
	mov ebx, 3
	vmcall

UNEXPECTED

FLAT_GDT
IDT_ONE 13, on_gp
