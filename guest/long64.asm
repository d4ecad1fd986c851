; long64: a guest that starts in 64-bit mode (IA-32e, the VMM's paging:
; its first 2 MiB at linear 0 and again at GUEST_HIGH_ALIAS). Runs CPUIDs
; at a RIP below 4 GiB, then at the same code's alias above 4 GiB, where
; the entry check on RIP needs the mode (canonical, not "bits 63:32 are
; 0"); checks that HC_PUTS takes a buffer address above 4 GiB as it is
; (refused, -2) instead of cutting it to 32 bits; checks that RBP, RSI
; and R8-R15, set once at the start, came through all those exits
; unchanged; ends with HC_EXIT 0 (HC_EXIT 3 if a register changed).
bits 64
org 0x1000
%include "hypercall.inc"
%include "lib.inc"
LOOPS equ 100

; The value the guest keeps in each register it does not otherwise use.
%define KEPT(r) (0x5a00000000000000 + r * 0x0101010101)
%macro KEPT_REGS 1                      ; set or check
	%1 rbp, 5
	%1 rsi, 6
	%1 r8, 8
	%1 r9, 9
	%1 r10, 10
	%1 r11, 11
	%1 r12, 12
	%1 r13, 13
	%1 r14, 14
	%1 r15, 15
%endmacro
%macro SET 2
	mov %1, KEPT(%2)
%endmacro
%macro CHECK 2
	mov rax, KEPT(%2)
	cmp %1, rax
	jne lost
%endmacro

start:
	KEPT_REGS SET
	PUTS hello, hello_len
	CPUID_LOOP LOOPS
	bt ecx, 31                      ; leaf 1: "a hypervisor is present"
	jnc fail
	mov rax, GUEST_HIGH_ALIAS + high
	jmp rax
high:                                   ; RIP above 4 GiB from here
	lea rax, [rel high]
	shr rax, 32
	jz fail
	CPUID_LOOP LOOPS
	PUTS highline, highline_len
	mov rax, back
	jmp rax
back:                                   ; below 4 GiB again
	mov eax, HC_PUTS
	mov rbx, (1 << 32) + hello      ; 4 GiB past the text: outside memory
	mov ecx, hello_len
	vmcall
	cmp rax, HC_EFAULT
	jne fail
	PUTS efault, efault_len
	KEPT_REGS CHECK
	PUTS kept, kept_len
	EXIT_OK
fail:
	mov eax, HC_EXIT
	mov ebx, 1
	vmcall
lost:
	mov eax, HC_EXIT
	mov ebx, 3
	vmcall

hello:    db "long64: 64-bit mode, 100 CPUIDs below 4 GiB", 10
hello_len equ $ - hello
highline: db "long64: 100 CPUIDs above 4 GiB done", 10
highline_len equ $ - highline
efault:   db "long64: a buffer above 4 GiB is refused (-2)", 10
efault_len equ $ - efault
kept:     db "long64: rbp, rsi, r8-r15 kept across every exit", 10
kept_len  equ $ - kept
