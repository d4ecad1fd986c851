; cpuidbench: times CPUID exits from inside the guest for `make bench`.
; RDTSC, 10,000 CPUIDs (each a VM exit and a VMRESUME), RDTSC; prints
; "cpuid round trips=10000 tsc=0x................" and ends with HC_EXIT 0.
; The loop itself is 4 guest instructions per round trip.
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"
ROUNDS equ 10000

start:
	rdtsc
	mov [t0], eax
	mov [t0 + 4], edx
	mov edi, ROUNDS
.loop:
	xor eax, eax
	cpuid
	dec edi
	jnz .loop
	rdtsc
	sub eax, [t0]
	sbb edx, [t0 + 4]
	mov ebx, hex                    ; write edx:eax as 16 hex digits
	mov ecx, edx
	call put8
	mov ecx, eax
	call put8
	PUTS line, line_len
	EXIT_OK

put8:                                   ; ecx -> 8 hex digits at [ebx]
	push eax
	mov edx, 8
.digit:
	rol ecx, 4
	mov eax, ecx
	and eax, 0xf
	mov al, [digits + eax]
	mov [ebx], al
	inc ebx
	dec edx
	jnz .digit
	pop eax
	ret

digits: db "0123456789abcdef"
t0:     dq 0
line:   db "cpuid round trips=10000 tsc=0x"
hex:    db "0000000000000000", 10
line_len equ $ - line
