; mixbench: times a mixed loop of the exits the VMM handles and continues,
; from inside the guest (make bench), in 32-bit protected mode. Each of
; 2,500 rounds makes four VM exits, one of each kind:
;   CPUID (leaf 0), VMCALL HC_VMID, IN from COM1's line status register
;   (0x3fd) and OUT to port 0x80 (the VMM ignores it).
; The other exits it handles end the slice or the VM: the preemption timer
; (a few per run) and the final HC_EXIT. Prints
; "mixbench exits=10000 tsc=0x................" and ends with HC_EXIT 0.
; The loop is 10 guest instructions per round, 2.5 per exit.
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"
ROUNDS equ 2500

start:
	rdtsc
	mov [t0], eax
	mov [t0 + 4], edx
	mov edi, ROUNDS
.loop:
	xor eax, eax
	cpuid
	mov eax, HC_VMID
	vmcall
	mov dx, 0x3fd
	in al, dx
	mov dx, 0x80
	out dx, al
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
	mov esi, eax
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
	mov eax, esi
	ret

digits: db "0123456789abcdef"
t0:     dq 0
line:   db "mixbench exits=10000 tsc=0x"
hex:    db "0000000000000000", 10
line_len equ $ - line
