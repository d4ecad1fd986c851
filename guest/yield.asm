; yield: prints a numbered line and gives the CPU away with HC_YIELD,
; five times, then ends with HC_EXIT 0. 32-bit protected mode.
bits 32
org 0x1000
%include "hypercall.inc"

start:
	mov byte [digit], '1'
.again:
	mov eax, HC_PUTS
	mov ebx, line
	mov ecx, line_len
	vmcall
	mov eax, HC_YIELD
	vmcall
	inc byte [digit]
	cmp byte [digit], '6'
	jne .again
	mov eax, HC_EXIT
	xor ebx, ebx
	vmcall

line:  db "yield round "
digit: db "0", 10
line_len equ $ - line
