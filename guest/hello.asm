; hello: the first tiny guest (32-bit protected mode, flat, paging off).
; Writes a line to COM1 (trapped by the VMM and printed tagged with the VM
; id), runs CPUID, makes a VMCALL that prints a second line, ends with HLT.
bits 32
org 0x1000
%include "hypercall.inc"

start:
	mov esi, greeting
	mov dx, 0x3f8
.next:
	lodsb
	test al, al
	jz .cpuid
	out dx, al                      ; I/O exit: the VMM prints the byte
	jmp .next
.cpuid:
	xor eax, eax
	cpuid                           ; CPUID exit: vendor string comes back
	mov [vendor], ebx
	mov [vendor + 4], edx
	mov [vendor + 8], ecx
	mov eax, HC_PUTS
	mov ebx, message
	mov ecx, message_len
	vmcall                          ; VMCALL exit: print message
	hlt                             ; HLT exit: the guest is done

greeting: db "hello from guest", 10, 0
message:  db "cpuid vendor="
vendor:   db "????????????", 10
message_len equ $ - message
