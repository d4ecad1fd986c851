; vmxinsn: tries seven VMX instructions in turn. Each must raise #UD in the
; guest (the VMM injects it; the instruction never runs). The #UD handler
; finds the faulting EIP in a table, counts a hit for that instruction and
; returns to the next one. Then one line per instruction, and HC_EXIT 0.
; 32-bit protected mode, its own GDT and IDT.
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"
NINSN equ 7

start:
	lgdt [gdtr]
	lidt [idtr]
	xor eax, eax
i_vmxon:    vmxon [region]
i_vmclear:  vmclear [region]
i_vmptrld:  vmptrld [region]
i_vmread:   vmread [value], eax
i_vmwrite:  vmwrite eax, [value]
i_vmlaunch: vmlaunch
i_invept:   invept eax, [descriptor]
report:
	xor ebp, ebp
.line:
	mov edi, buf
	mov esi, [names + ebp * 4]
	call append
	mov esi, got_ud
	cmp dword [hits + ebp * 4], 1
	je .say
	mov esi, got_none
	jb .say
	mov esi, got_many
.say:
	call append
	mov eax, HC_PUTS
	mov ebx, buf
	mov ecx, edi
	sub ecx, buf
	vmcall
	inc ebp
	cmp ebp, NINSN
	jne .line
	EXIT_OK
	hlt                             ; not reached

; Copy the NUL-terminated string at ESI to EDI (EDI advances).
append:
	lodsb
	test al, al
	jz .done
	stosb
	jmp append
.done:
	ret

; #UD: [esp] is the faulting EIP. Count it and return past it.
on_ud:
	push eax
	push ecx
	mov eax, [esp + 8]
	xor ecx, ecx
.find:
	cmp eax, [insns + ecx * 4]
	je .found
	inc ecx
	cmp ecx, NINSN
	jne .find
	jmp unexpected                  ; a #UD from anywhere else
.found:
	inc dword [hits + ecx * 4]
	mov eax, [insns + ecx * 4 + 4]  ; the next instruction (or report)
	mov [esp + 8], eax
	pop ecx
	pop eax
	iret

UNEXPECTED

insns: dd i_vmxon, i_vmclear, i_vmptrld, i_vmread, i_vmwrite, i_vmlaunch, i_invept, report
names: dd n_vmxon, n_vmclear, n_vmptrld, n_vmread, n_vmwrite, n_vmlaunch, n_invept
hits:  times NINSN dd 0
n_vmxon:    db "vmxon", 0
n_vmclear:  db "vmclear", 0
n_vmptrld:  db "vmptrld", 0
n_vmread:   db "vmread", 0
n_vmwrite:  db "vmwrite", 0
n_vmlaunch: db "vmlaunch", 0
n_invept:   db "invept", 0
got_ud:     db " -> #UD", 10, 0
got_none:   db " -> no #UD", 10, 0
got_many:   db " -> more than one #UD", 10, 0

align 8
region:     dq 0x8000               ; VMXON/VMCLEAR/VMPTRLD operand
value:      dd 0
descriptor: dq 0, 0                 ; INVEPT descriptor
FLAT_GDT
IDT_ONE 6, on_ud
buf:  times 64 db 0
