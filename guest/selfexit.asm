; selfexit: says goodbye and asks the VMM to end it (HC_EXIT 0), with
; instructions after the VMCALL that must never run. 32-bit protected mode.
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"

start:
	mov eax, HC_VMID
	vmcall
	add al, '0'
	mov [id], al
	PUTS msg, msg_len
	EXIT_OK
	mov eax, HC_PUTS                ; never runs: the VM is gone
	mov ebx, bad
	mov ecx, bad_len
	vmcall
	hlt

msg: db "vm "
id:  db "? ends itself", 10
msg_len equ $ - msg
bad: db "BUG: ran after HC_EXIT", 10
bad_len equ $ - bad
