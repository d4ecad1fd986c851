; counter: a long count with no exits at all, so only the VMX-preemption
; timer can take the CPU away from it. Prints the result and ends.
; 32-bit protected mode.
bits 32
org 0x1000
%include "hypercall.inc"
COUNT equ 3000000

start:
	xor eax, eax
.loop:
	inc eax
	cmp eax, COUNT
	jne .loop
	mov eax, HC_PUTS
	mov ebx, done
	mov ecx, done_len
	vmcall
	mov eax, HC_EXIT
	xor ebx, ebx
	vmcall

done: db "counter reached 3000000", 10
done_len equ $ - done
