; gpstorm: an endless general-protection loop with no exits of its own.
; Loading DS with a selector beyond the GDT limit raises #GP(0x28); the
; handler checks the error code the VMM delivered, drops it and returns to
; the faulting MOV. The VMM stops the VM when the #GPs become a storm.
; 32-bit protected mode, its own GDT and IDT.
bits 32
org 0x1000
%include "hypercall.inc"

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

unexpected:
	mov eax, HC_EXIT
	mov ebx, 2
	vmcall

%macro GATE 1                       ; 32-bit interrupt gate, CS = 0x08
	dw %1, 0x08, 0x8e00, 0
%endmacro
align 8
gdt:  dq 0
      dq 0x00cf9a000000ffff         ; 0x08: flat 32-bit code
      dq 0x00cf92000000ffff         ; 0x10: flat data
gdtr: dw $ - gdt - 1
      dd gdt
idt:
%rep 13
	GATE unexpected
%endrep
	GATE on_gp                      ; 13: #GP
idtr: dw $ - idt - 1
      dd idt
