; badvmcs: asks the VMM (test-only HC_TEST_VMWRITE, RBX = field encoding,
; RCX = value) to write its own VMCS. An unknown encoding and a read-only
; field are refused (HC_EINVAL, printed); then guest RFLAGS := 0, which
; breaks the rule that bit 1 is 1 (SDM Vol. 3C 27.3.1.4): the shadow
; predicts the next entry fails, the VMM does not enter and stops the VM.
; Without testhc=on every call is refused as an unknown number (-1,
; HC_ENOSYS, printed) and the guest ends with HLT. 32-bit protected mode.
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"
ENC_EXIT_REASON equ 0x4402          ; read-only
ENC_GUEST_RFLAGS equ 0x6820

%macro TRY 3                        ; label, RBX, RCX
	mov eax, HC_TEST_VMWRITE
	mov ebx, %2
	mov ecx, %3
	vmcall
	mov ebp, eax
	mov esi, %1
	call report
%endmacro

start:
	TRY s_unknown, 0x7777, 0
	TRY s_readonly, ENC_EXIT_REASON, 0
	mov eax, HC_TEST_VMWRITE
	mov ebx, ENC_GUEST_RFLAGS
	xor ecx, ecx                    ; bit 1 must be 1
	vmcall
	test eax, eax                   ; refused: the VMCS is as it was
	jz .written
	mov ebp, eax
	mov esi, s_rflags
	call report
	hlt
.written:
	mov eax, HC_PUTS                ; never runs: the VM is not entered again
	mov ebx, survived
	mov ecx, survived_len
	vmcall
	hlt

REPORT

s_unknown:  db "test_vmwrite unknown field -> ", 0
s_readonly: db "test_vmwrite read-only field -> ", 0
s_rflags:   db "test_vmwrite guest rflags -> ", 0
survived:   db "BUG: badvmcs entered with RFLAGS=0", 10
survived_len equ $ - survived
buf:        times 64 db 0
