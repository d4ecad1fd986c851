; eipwrap: a CPUID whose last byte is at EIP 0xffffffff. Outside 64-bit
; mode the instruction pointer is EIP, 32 bits, so the next instruction is
; at EIP 0; the VMM must write RIP 0 after the exit, not 0x100000000, which
; VM entry refuses outside 64-bit mode (SDM Vol. 3C 27.3.1.4). A code
; segment whose base lies 2 bytes past the CPUID puts EIP 0xfffffffe at
; the CPUID's address (base + EIP wraps at 4 GiB in the linear address
; space). A loop of CPUIDs first, so that on the fast path the replay is
; armed when the wrapping one comes. Prints a line and ends with HC_EXIT 0;
; the line proves that the code at EIP 0 ran, since only it jumps back.
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"
WRAP_CS equ 0x18

start:
	lgdt [gdtr]
	CPUID_LOOP 50
	xor eax, eax
	xor ecx, ecx
	jmp WRAP_CS:0xfffffffe          ; the CPUID at `wrapped`
back:
	PUTS ok, ok_len
	EXIT_OK

align 16
wrapped:
	cpuid                           ; 0f a2 at EIP 0xfffffffe
	jmp 0x08:back                   ; EIP 0: WRAP_CS's base

; 0x08/0x10 flat, as the VMM's own selectors; WRAP_CS a 4 GiB 32-bit code
; segment based just past the CPUID.
%define WRAP_BASE (wrapped - $$ + 0x1000 + 2)
align 8
gdt:  dq 0
      dq 0x00cf9a000000ffff
      dq 0x00cf92000000ffff
      dw 0xffff, WRAP_BASE & 0xffff
      db (WRAP_BASE >> 16) & 0xff, 0x9a, 0xcf, (WRAP_BASE >> 24) & 0xff
gdtr: dw $ - gdt - 1
      dd gdt

ok:     db "eipwrap: CPUID at EIP 0xfffffffe, went on at EIP 0", 10
ok_len  equ $ - ok
