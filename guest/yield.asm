; yield: prints a numbered line and gives the CPU away with HC_YIELD,
; five times, then ends with HC_EXIT 0. 32-bit protected mode.
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"

start:
	mov byte [digit], '1'
.again:
	PUTS line, line_len
	mov eax, HC_YIELD
	vmcall
	inc byte [digit]
	cmp byte [digit], '6'
	jne .again
	EXIT_OK

line:  db "yield round "
digit: db "0", 10
line_len equ $ - line
