; badhc: hypercalls the VMM must refuse: an unknown number (HC_ENOSYS),
; HC_PUTS of a buffer outside guest memory (HC_EFAULT), longer than
; HC_PUTS_MAX (HC_EINVAL), and one whose end wraps around 2^32 (HC_EFAULT).
; Prints what came back for each ("unknown -> -1"), then HC_EXIT 0.
; 32-bit protected mode.
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"

%macro TRY 5                        ; label, RAX, RBX, RCX, RDX
	mov eax, %2
	mov ebx, %3
	mov ecx, %4
	mov edx, %5
	vmcall
	mov ebp, eax                    ; what came back
	mov esi, %1
	call report
%endmacro

start:
	TRY s_unknown, 0x1234, 0, 0, 0
	TRY s_outside, HC_PUTS, 0x200000, 16, 0
	TRY s_toolong, HC_PUTS, text, HC_PUTS_MAX + 1, 0
	TRY s_wrap, HC_PUTS, 0xffffff80, 0x100, 0
	TRY s_ok, HC_PUTS, text, text_len, 0
	EXIT_OK
	hlt                             ; not reached

REPORT

s_unknown: db "unknown -> ", 0
s_outside: db "puts outside memory -> ", 0
s_toolong: db "puts too long -> ", 0
s_wrap:    db "puts wrapping -> ", 0
s_ok:      db "puts ok -> ", 0
text:      db "badhc buffer", 10
text_len equ $ - text
buf:       times 64 db 0
