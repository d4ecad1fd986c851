; flood: writes LINES short lines to port 0x3f8 as fast as it can, then
; HC_EXIT 0. The VMM prints the first ones and counts the rest
; (ev=out_dropped), so one guest cannot drown the serial line.
; 32-bit protected mode.
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"
LINES equ 5000

start:
	mov edi, LINES
	mov dx, 0x3f8
.line:
	mov esi, text
.byte:
	lodsb
	test al, al
	jz .next
	out dx, al
	jmp .byte
.next:
	dec edi
	jnz .line
	EXIT_OK

text: db "f", 10, 0
