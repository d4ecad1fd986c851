; udloop: an endless invalid-opcode loop with no exits of its own. Its #UD
; handler returns to the UD2, which faults again. The VMM intercepts #UD,
; reflects each one to this handler, and stops the VM when they become a
; storm. 32-bit protected mode, its own GDT and IDT.
bits 32
org 0x1000
%include "hypercall.inc"

start:
	lgdt [gdtr]
	lidt [idtr]
.again:
	ud2                             ; #UD; the handler returns here
	jmp .again

on_ud:
	iret                            ; back to the UD2 (the pushed EIP)

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
%rep 6
	GATE unexpected
%endrep
	GATE on_ud                      ; 6: #UD
%rep 7
	GATE unexpected
%endrep
idtr: dw $ - idt - 1
      dd idt
