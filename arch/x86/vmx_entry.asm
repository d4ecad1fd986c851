; VM entry and VM exit glue.
;
; vmx_enter_raw(regs, launch, again, ctx) saves the host's callee-saved
; registers and stack pointer, loads the guest's general-purpose registers
; and executes VMLAUNCH or VMRESUME. If the instruction fails it falls
; through and returns the failure (1 = VMfailValid, 2 = VMfailInvalid). If
; the guest runs, the next VM exit lands in vmx_exit_stub (HOST_RIP) on the
; exit stack (HOST_RSP); the stub stores the guest registers back into regs.
; The fast path: if again is not NULL the stub calls again(ctx) right there,
; on the exit stack; when it returns true (it handled the exit and the
; shadow passed the next entry) the stub reloads the guest registers and
; executes VMRESUME at once, without unwinding to the C caller. Otherwise
; it switches to the saved host stack and returns 0 from vmx_enter_raw.
bits 64
default rel

struc regs
	.rax: resq 1
	.rcx: resq 1
	.rdx: resq 1
	.rbx: resq 1
	.rbp: resq 1
	.rsi: resq 1
	.rdi: resq 1
	.r8:  resq 1
	.r9:  resq 1
	.r10: resq 1
	.r11: resq 1
	.r12: resq 1
	.r13: resq 1
	.r14: resq 1
	.r15: resq 1
endstruc

; Every guest GPR from struct guest_regs at rdi; rdi itself last. Flags
; are left alone (vmx_enter_raw's cmp survives it).
%macro LOAD_GUEST_REGS 0
	mov rax, [rdi + regs.rax]
	mov rcx, [rdi + regs.rcx]
	mov rdx, [rdi + regs.rdx]
	mov rbx, [rdi + regs.rbx]
	mov rbp, [rdi + regs.rbp]
	mov rsi, [rdi + regs.rsi]
	mov r8,  [rdi + regs.r8]
	mov r9,  [rdi + regs.r9]
	mov r10, [rdi + regs.r10]
	mov r11, [rdi + regs.r11]
	mov r12, [rdi + regs.r12]
	mov r13, [rdi + regs.r13]
	mov r14, [rdi + regs.r14]
	mov r15, [rdi + regs.r15]
	mov rdi, [rdi + regs.rdi]
%endmacro

section .bss
align 16
exit_stack: resb 16384                  ; the fast path's C code runs here
global vmx_exit_stack_top
vmx_exit_stack_top:
saved_host_rsp: resq 1
saved_regs: resq 1
saved_again: resq 1
saved_ctx: resq 1

section .text
global vmx_enter_raw
global vmx_exit_stub

; int vmx_enter_raw(struct guest_regs *regs, int launch,
;                   bool (*again)(void *ctx), void *ctx)
vmx_enter_raw:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	mov [saved_host_rsp], rsp
	mov [saved_regs], rdi
	mov [saved_again], rdx
	mov [saved_ctx], rcx
	cmp esi, 0                      ; flags survive the movs below
	LOAD_GUEST_REGS
	jne .launch
	vmresume
	jmp entry_failed
.launch:
	vmlaunch
entry_failed:
	mov eax, 2                      ; CF=1: VMfailInvalid
	jc .out
	mov eax, 1                      ; ZF=1: VMfailValid
	jz .out
	mov eax, 3                      ; neither: cannot happen
.out:
	mov rsp, [saved_host_rsp]
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

vmx_exit_stub:
	push rdi
	mov rdi, [saved_regs]
	mov [rdi + regs.rax], rax
	mov [rdi + regs.rcx], rcx
	mov [rdi + regs.rdx], rdx
	mov [rdi + regs.rbx], rbx
	mov [rdi + regs.rbp], rbp
	mov [rdi + regs.rsi], rsi
	mov [rdi + regs.r8],  r8
	mov [rdi + regs.r9],  r9
	mov [rdi + regs.r10], r10
	mov [rdi + regs.r11], r11
	mov [rdi + regs.r12], r12
	mov [rdi + regs.r13], r13
	mov [rdi + regs.r14], r14
	mov [rdi + regs.r15], r15
	pop rax
	mov [rdi + regs.rdi], rax
	mov rax, [saved_again]
	test rax, rax
	jz .unwind
	mov rdi, [saved_ctx]
	call rax                        ; rsp is HOST_RSP: 16-byte aligned
	test al, al
	jz .unwind
	mov rdi, [saved_regs]
	LOAD_GUEST_REGS
	vmresume
	jmp entry_failed                ; reported as the C caller's entry failure
.unwind:
	mov rsp, [saved_host_rsp]
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	xor eax, eax
	ret
