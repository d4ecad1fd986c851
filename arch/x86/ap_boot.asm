; The application processors' way in (SDM Vol. 3A 9.4.4 MP initialization,
; 10.9.1 switching to protected mode, 10.8.5 initializing IA-32e mode).
;
; A start-up IPI starts the processor in real mode at CS:IP = PAGE<<8:0,
; PAGE being the IPI's vector. arch/x86/smp.c copies
; [ap_tramp_start, ap_tramp_end) to such a page below 1 MiB and fills the
; parameter block at its end (struct ap_tramp_params, same offsets):
; the GDT and its pointer, the far pointers to the next steps, a temporary
; CR3 below 4 GiB (an identity map without NX bits, so the 32-bit MOV CR3
; can load it whatever the boot CPU's tables are), EFER, then the boot
; CPU's own CR3, the stack and the struct percpu for ap_entry64.
;
; real mode: load the GDT, set CR0.PE, far jump to 32-bit code
; protected mode: CR4.PAE, CR3 = temporary tables, EFER (LME and the boot
;   CPU's NXE), CR0.PG: IA-32e mode; far jump to ap_entry64 in the image
; 64-bit: CR3 = the boot CPU's, the stack, ap_main(percpu).

P_GDTR      equ 32      ; limit (2 bytes) and base (4 bytes)
P_PM        equ 40      ; far pointer to the 32-bit code (offset, selector)
P_LM        equ 48      ; far pointer to ap_entry64
P_CR3_BOOT  equ 56
P_EFER      equ 64
P_CR3       equ 72
P_STACK     equ 80
P_PERCPU    equ 88
P_ALIVE     equ 96      ; the trampoline writes 1 on its first instruction
P_SIZE      equ 104

SEL_DATA32  equ 0x10

section .data           ; copied, never run in place
bits 16
global ap_tramp_start, ap_tramp_end, ap_tramp_params
ap_tramp_start:
	cli
	cld
	mov ax, cs
	mov ds, ax
	movzx ebx, ax
	shl ebx, 4                      ; the page's linear address
	mov byte [ap_tramp_params - ap_tramp_start + P_ALIVE], 1
	o32 lgdt [ap_tramp_params - ap_tramp_start + P_GDTR]
	mov eax, cr0
	or eax, 1                       ; PE
	mov cr0, eax
	jmp dword far [ap_tramp_params - ap_tramp_start + P_PM]

bits 32
global ap_tramp_pm
ap_tramp_pm:
	mov ax, SEL_DATA32
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, 1 << 5                  ; PAE
	mov cr4, eax
	mov eax, [ebx + ap_tramp_params - ap_tramp_start + P_CR3_BOOT]
	mov cr3, eax
	mov ecx, 0xc0000080             ; IA32_EFER
	mov eax, [ebx + ap_tramp_params - ap_tramp_start + P_EFER]
	mov edx, [ebx + ap_tramp_params - ap_tramp_start + P_EFER + 4]
	wrmsr
	mov eax, cr0
	or eax, 0x80000001              ; PG | PE
	mov cr0, eax
	jmp far [ebx + ap_tramp_params - ap_tramp_start + P_LM]

align 16
ap_tramp_params:
	times P_SIZE db 0
ap_tramp_end:

section .text
bits 64
global ap_entry64
extern ap_main
; What a 32-bit mode leaves in the upper halves of the registers is not
; defined in 64-bit mode (SDM Vol. 1 3.4.1.1): EBX is written again, which
; clears its upper half.
ap_entry64:
	mov ebx, ebx
	mov rax, [rbx + ap_tramp_params - ap_tramp_start + P_CR3]
	mov cr3, rax
	mov rsp, [rbx + ap_tramp_params - ap_tramp_start + P_STACK]
	mov rdi, [rbx + ap_tramp_params - ap_tramp_start + P_PERCPU]
	xor ebp, ebp
	call ap_main
.hang:
	cli
	hlt
	jmp .hang
