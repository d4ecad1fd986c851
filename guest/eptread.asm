; eptread: reads guest-physical 0x200000, far outside its 64 KiB. EPT maps
; nothing there, so the read is an EPT violation and the VMM stops the VM;
; the line after the read must never be printed. 32-bit protected mode.
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"

start:
	mov eax, [0x200000]             ; EPT violation (read)
	PUTS survived, survived_len
	hlt

survived: db "BUG: eptread read outside its memory", 10
survived_len equ $ - survived
