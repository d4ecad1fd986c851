; eptwrite: writes guest-physical 0x200000, far outside its 64 KiB. EPT
; maps nothing there, so the write is an EPT violation and the VMM stops
; the VM; the line after the write must never be printed. 32-bit protected
; mode.
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"

start:
	mov dword [0x200000], 0xdeadbeef ; EPT violation (write)
	PUTS survived, survived_len
	hlt

survived: db "BUG: eptwrite wrote outside its memory", 10
survived_len equ $ - survived
