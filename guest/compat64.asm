; compat64: a 64-bit guest that leaves 64-bit mode for compatibility mode
; and comes back, with CPUIDs in each: 100 at its alias above 4 GiB, 100 in
; compatibility mode (IA-32e still active, CS.L = 0, EIP below 4 GiB), 100
; above 4 GiB again. After each exit the VMM's shadow knows neither the
; "IA-32e mode guest" control nor CS, and takes the guest's mode from the
; RIP the exit saved; the CPU checks every entry for itself, so a wrong
; inference shows as an entry that fails or a VM stopped for nothing.
; Prints a line and ends with HC_EXIT 0.
bits 64
org 0x1000
%include "hypercall.inc"
%include "lib.inc"
LOOPS equ 100
CODE64 equ 0x08
CODE32 equ 0x18

start:
	lgdt [gdtr]
	mov rax, GUEST_HIGH_ALIAS + high1
	jmp rax
high1:                                  ; 64-bit mode above 4 GiB
	CPUID_LOOP LOOPS
	push qword CODE32               ; a far return to compatibility mode
	push qword compat               ; (below 4 GiB: the offset is 32 bits)
	o64 retf

bits 32
compat:                                 ; IA-32e mode, CS.L = 0
	CPUID_LOOP LOOPS
	xor eax, eax
	db 0x48                         ; DEC EAX here, a REX.W prefix in 64-bit mode
	nop
	cmp eax, -1
	jne not_compat
	jmp CODE64:back64
not_compat:
	mov eax, HC_EXIT
	mov ebx, 4
	vmcall

bits 64
back64:
	mov rax, GUEST_HIGH_ALIAS + high2
	jmp rax
high2:                                  ; 64-bit mode above 4 GiB again
	CPUID_LOOP LOOPS
	PUTS done, done_len
	EXIT_OK

align 8
gdt:  dq 0
      dq 0x00af9a000000ffff         ; CODE64: L = 1
      dq 0x00cf92000000ffff         ; 0x10: flat data
      dq 0x00cf9a000000ffff         ; CODE32: L = 0, D = 1
gdtr: dw $ - gdt - 1
      dq gdt

done:     db "compat64: 100 CPUIDs above 4 GiB, 100 in compatibility mode, 100 above 4 GiB again", 10
done_len  equ $ - done
