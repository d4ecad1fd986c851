; lowedge: a 64-bit guest whose CPUID ends at the top of the lower half
; (its last byte at 0x00007fffffffffff). The VMM advances RIP to
; 0x0000800000000000: not canonical, but bits 63:48 are identical, which
; is all VM entry asks of a 64-bit RIP (SDM 27.3.1.4, bits 63:N), so the
; entry succeeds and the guest's next fetch raises #GP, as it would
; without VMX. Its #GP handler checks the RIP the fault pushed, prints a
; line and ends with HC_EXIT 0 (HC_EXIT 1 for a wrong RIP, 2 for an
; unexpected exception). Maps the page at 0x00007ffffffff000 itself, in
; the VMM's tables (PML4[255] and PDPT[511] share the low entries' tables,
; PD[511] points to a page table of its own).
bits 64
org 0x1000
%include "hypercall.inc"
%include "lib.inc"
CODE64   equ 0x08
EDGE_PA  equ 0x3000                     ; the page mapped at the edge
PT_PA    equ 0x4000                     ; its page table (memory starts zeroed)
EDGE_VA  equ 0x00007ffffffff000
PTE      equ 3                          ; present, writable

start:
	lgdt [gdtr]
	lidt [idtr]
	mov word [EDGE_PA + 0xffe], 0xa20f  ; CPUID in the page's last two bytes
	mov rbx, cr3                        ; PML4 (identity-mapped, low 2 MiB)
	mov rax, [rbx]
	mov [rbx + 255 * 8], rax            ; PML4[255] = PML4[0]'s PDPT
	mov rcx, 0x000ffffffffff000
	and rax, rcx
	mov rdx, [rax]
	mov [rax + 511 * 8], rdx            ; PDPT[511] = PDPT[0]'s PD
	and rdx, rcx
	mov qword [rdx + 511 * 8], PT_PA | PTE
	mov qword [PT_PA + 511 * 8], EDGE_PA | PTE
	mov eax, 1
	xor ecx, ecx
	mov rdx, EDGE_VA + 0xffe
	jmp rdx                             ; CPUID at 0x00007ffffffffffe

on_gp:                                  ; [rsp] error code, [rsp + 8] RIP
	mov rax, 0x0000800000000000
	cmp [rsp + 8], rax
	jne wrong_rip
	PUTS done, done_len
	EXIT_OK
wrong_rip:
	mov eax, HC_EXIT
	mov ebx, 1
	vmcall
unexpected:
	mov eax, HC_EXIT
	mov ebx, 2
	vmcall

; A 64-bit interrupt gate through CODE64.
%macro GATE64 1
	dw %1, CODE64, 0x8e00, 0
	dd 0, 0
%endmacro

align 8
gdt:  dq 0
      dq 0x00af9a000000ffff             ; CODE64: L = 1
gdtr: dw $ - gdt - 1
      dq gdt
align 16
idt:
%rep 13
	GATE64 unexpected
%endrep
	GATE64 on_gp
%rep 18
	GATE64 unexpected
%endrep
idtr: dw $ - idt - 1
      dq idt

done:     db "lowedge: CPUID at the top of the lower half, then #GP at RIP 0x0000800000000000", 10
done_len  equ $ - done
