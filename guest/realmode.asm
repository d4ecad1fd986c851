; realmode: starts in real mode (CR0.PE = 0, allowed by unrestricted
; guest), prints a line on COM1 with 16-bit code, ends with HC_EXIT 0.
bits 16
org 0x1000
%include "hypercall.inc"

start:
	mov si, msg
	mov dx, 0x3f8
.next:
	lodsb
	test al, al
	jz .done
	out dx, al
	jmp .next
.done:
	mov eax, HC_EXIT
	xor ebx, ebx
	vmcall

msg: db "real mode hello", 10, 0
