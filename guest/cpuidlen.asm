; cpuidlen: four CPUIDs of 2, 3, 4 and 15 bytes (prefixes the instruction
; ignores). Each is a VM exit; the VMM must move RIP past the instruction
; by the VM-exit instruction-length field (SDM Vol. 3C 28.2.4), not by a
; fixed 2: a wrong length lands inside the instruction or skips the INC
; that follows it. Prints "cpuid lengths ok: 4 of 4" and ends with HC_EXIT 0.
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"

start:
	xor esi, esi
	xor eax, eax
	cpuid                           ; 0f a2: 2 bytes
	inc esi
	xor eax, eax
	db 0x66, 0x0f, 0xa2             ; operand-size prefix: 3 bytes
	inc esi
	xor eax, eax
	db 0x2e, 0x3e, 0x0f, 0xa2       ; two segment overrides: 4 bytes
	inc esi
	xor eax, eax
	times 13 db 0x3e                ; 13 prefixes: 15 bytes, the longest
	db 0x0f, 0xa2                   ; instruction x86 allows
	inc esi
	cmp esi, 4
	jne .bad
	PUTS ok, ok_len
	EXIT_OK
.bad:
	PUTS bad, bad_len
	mov eax, HC_EXIT
	mov ebx, 1
	vmcall

ok:     db "cpuid lengths ok: 4 of 4", 10
ok_len  equ $ - ok
bad:    db "cpuid lengths wrong: an INC was skipped", 10
bad_len equ $ - bad
