; Host exception entry stubs: push a uniform frame and call
; exception_handler(frame), which reports and powers off.
bits 64
default rel
section .text
extern exception_handler

%macro ISR 1
isr_%1:
%if %1 = 8 || (%1 >= 10 && %1 <= 14) || %1 = 17 || %1 = 21 || %1 = 29 || %1 = 30
%else
	push qword 0                    ; no error code from the CPU
%endif
	push qword %1
	jmp isr_common
%endmacro

%assign v 0
%rep 32
ISR v
%assign v v + 1
%endrep

isr_common:
	push r15
	push r14
	push r13
	push r12
	push r11
	push r10
	push r9
	push r8
	push rbp
	push rdi
	push rsi
	push rdx
	push rcx
	push rbx
	push rax
	mov rdi, rsp
	and rsp, -16
	call exception_handler
.hang:
	cli
	hlt
	jmp .hang

; The application processors' NMI gate: an NMI only wakes a processor
; parked in HLT (arch/x86/smp.c); IRET ends the NMI's blocking.
global nmi_wake
nmi_wake:
	iretq

section .data
global isr_table
align 8
isr_table:
%assign v 0
%rep 32
	dq isr_%[v]
%assign v v + 1
%endrep
