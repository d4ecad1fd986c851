; VM entry and VM exit glue.
;
; vmx_enter_raw(regs, launch, again, ctx, exit_top) saves the host's
; callee-saved registers and stack pointer, moves to the exit stack whose
; top is exit_top (this CPU's HOST_RSP), loads the guest's general-purpose
; registers and executes VMLAUNCH or VMRESUME. What the stub needs at a VM
; exit lies just above that top (struc exit_block), so it finds it from
; RSP alone: each processor has its own exit stack and block, and the same
; code serves them all. If the instruction fails it falls
; through and returns the failure (1 = VMfailValid, 2 = VMfailInvalid). If
; the guest runs, the next VM exit lands in vmx_exit_stub (HOST_RIP) on the
; exit stack (HOST_RSP); the stub stores the guest registers back into regs.
; The fast path: if again is not NULL the stub calls again(ctx) right there,
; on the exit stack; when it returns true (it handled the exit and the
; shadow passed the next entry) the stub reloads the guest registers and
; executes VMRESUME at once, without unwinding to the C caller. Otherwise
; it switches to the saved host stack and returns 0 from vmx_enter_raw.
;
; Around again() the stub stores and reloads only the registers C may
; change: the caller-saved ones, and RBX, which a CPUID handler writes.
; RBP and R12-R15 are callee-saved in the SysV ABI, so again() gives them
; back holding the guest's values; the stub stores them into regs only on
; its way back to the C caller (.unwind, entry_failed), so regs is whole
; wherever C code other than again() reads it. again() itself must not
; read or write regs' rbp and r12-r15 (no exit handler does; the guest
; long64 checks that RBP, RSI and R8-R15 survive replayed, fast and slow
; exits).
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

; The guest GPRs that C code may change, from struct guest_regs at rdi;
; rdi itself last. Flags are left alone (vmx_enter_raw's cmp survives it).
%macro LOAD_GUEST_VOLATILE 0
	mov rax, [rdi + regs.rax]
	mov rcx, [rdi + regs.rcx]
	mov rdx, [rdi + regs.rdx]
	mov rbx, [rdi + regs.rbx]
	mov rsi, [rdi + regs.rsi]
	mov r8,  [rdi + regs.r8]
	mov r9,  [rdi + regs.r9]
	mov r10, [rdi + regs.r10]
	mov r11, [rdi + regs.r11]
	mov rdi, [rdi + regs.rdi]
%endmacro

; The callee-saved rest, between regs at %1 and the registers.
%macro GUEST_KEPT 2
%ifidn %1, load
	mov rbp, [%2 + regs.rbp]
	mov r12, [%2 + regs.r12]
	mov r13, [%2 + regs.r13]
	mov r14, [%2 + regs.r14]
	mov r15, [%2 + regs.r15]
%else
	mov [%2 + regs.rbp], rbp
	mov [%2 + regs.r12], r12
	mov [%2 + regs.r13], r13
	mov [%2 + regs.r14], r14
	mov [%2 + regs.r15], r15
%endif
%endmacro

; Above an exit stack's top (HOST_RSP, 16-byte aligned): the entry in
; progress. VMX_EXIT_BLOCK in arch/x86/vmx.h is its size.
struc exit_block
	.host_rsp: resq 1
	.regs:     resq 1
	.again:    resq 1
	.ctx:      resq 1
	.ss:       resq 1                 ; the MOV SS before a test entry
	.pad:      resq 1
endstruc

section .bss
align 16
exit_stack: resb 16384                  ; the boot CPU's; the fast path's C code runs here
global vmx_exit_stack_top
vmx_exit_stack_top:
	resb exit_block_size

section .text
global vmx_enter_raw
global vmx_exit_stub

; int vmx_enter_raw(struct guest_regs *regs, int launch,
;                   bool (*again)(void *ctx), void *ctx)
; launch: 0 VMRESUME, 1 VMLAUNCH; 2 and 3 the same right after a MOV SS,
; which blocks events for the next instruction: the SDM's VMfailValid 26
; (the differential mode's life-cycle cases; never the VMM's own entries).
vmx_enter_raw:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	mov [r8 + exit_block.host_rsp], rsp
	mov [r8 + exit_block.regs], rdi
	mov [r8 + exit_block.again], rdx
	mov [r8 + exit_block.ctx], rcx
	mov rsp, r8                     ; from here on RSP is the block's address
	test esi, 2
	jnz .movss
	cmp esi, 0                      ; flags survive the movs below
	GUEST_KEPT load, rdi
	LOAD_GUEST_VOLATILE
	jne .launch
	vmresume
	jmp entry_failed
.launch:
	vmlaunch
	jmp entry_failed
.movss:
	mov [rsp + exit_block.ss], ss
	cmp esi, 2
	GUEST_KEPT load, rdi
	LOAD_GUEST_VOLATILE
	jne .movss_launch
	mov ss, [rsp + exit_block.ss]   ; nothing between it and the VMX instruction
	vmresume
	jmp entry_failed
.movss_launch:
	mov ss, [rsp + exit_block.ss]
	vmlaunch
entry_failed:                           ; RSP: the block (entry or exit stub alike)
	mov rax, [rsp + exit_block.regs] ; RBP, R12-R15 hold the guest's values:
	GUEST_KEPT store, rax           ; into regs (the movs keep the flags)
	mov eax, 2                      ; CF=1: VMfailInvalid
	jc .out
	mov eax, 1                      ; ZF=1: VMfailValid
	jz .out
	mov eax, 3                      ; neither: cannot happen
.out:
	mov rsp, [rsp + exit_block.host_rsp]
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

vmx_exit_stub:                          ; RSP: HOST_RSP, this CPU's block
	push rdi
	mov rdi, [rsp + 8 + exit_block.regs]
	mov [rdi + regs.rax], rax
	mov [rdi + regs.rcx], rcx
	mov [rdi + regs.rdx], rdx
	mov [rdi + regs.rbx], rbx
	mov [rdi + regs.rsi], rsi
	mov [rdi + regs.r8],  r8
	mov [rdi + regs.r9],  r9
	mov [rdi + regs.r10], r10
	mov [rdi + regs.r11], r11
	pop rax
	mov [rdi + regs.rdi], rax
	mov rax, [rsp + exit_block.again]
	test rax, rax
	jz .unwind
	mov rdi, [rsp + exit_block.ctx]
	call rax                        ; rsp is HOST_RSP: 16-byte aligned
	test al, al
	jz .unwind
	mov rdi, [rsp + exit_block.regs]
	LOAD_GUEST_VOLATILE             ; RBP, R12-R15: again() kept the guest's
	vmresume
	jmp entry_failed                ; reported as the C caller's entry failure
.unwind:
	mov rax, [rsp + exit_block.regs]
	GUEST_KEPT store, rax
	mov rsp, [rsp + exit_block.host_rsp]
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	xor eax, eax
	ret
