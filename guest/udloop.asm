; udloop: an endless invalid-opcode loop with no exits of its own. Its #UD
; handler returns to the UD2, which faults again. The VMM intercepts #UD,
; reflects each one to this handler, and stops the VM when they become a
; storm. 32-bit protected mode, its own GDT and IDT.
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"

start:
	lgdt [gdtr]
	lidt [idtr]
.again:
	ud2                             ; #UD; the handler returns here
	jmp .again

on_ud:
	iret                            ; back to the UD2 (the pushed EIP)

UNEXPECTED

FLAT_GDT
IDT_ONE 6, on_ud
