; counter: a long count with no exits at all, so only the VMX-preemption
; timer can take the CPU away from it. Prints the result and ends.
; 32-bit protected mode.
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"
COUNT equ 3000000

start:
	xor eax, eax
.loop:
	inc eax
	cmp eax, COUNT
	jne .loop
	PUTS done, done_len
	EXIT_OK

done: db "counter reached 3000000", 10
done_len equ $ - done
