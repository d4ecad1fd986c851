; cpuid: a CPUID loop, for counting and timing exits. 32-bit protected mode.
; Runs CPUID ITERATIONS times (each one a VM exit), then prints a line and
; asks to end with HC_EXIT 0.
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"
ITERATIONS equ 200

start:
	CPUID_LOOP ITERATIONS
	PUTS done, done_len
	EXIT_OK
	hlt                             ; not reached

done: db "cpuid loop done: 200 exits", 10
done_len equ $ - done
