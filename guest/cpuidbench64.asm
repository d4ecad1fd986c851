; cpuidbench64: cpuidbench in 64-bit mode (the body: cpuidbench.inc), so
; `make bench` can show what a CPUID exit of a 64-bit guest costs.
bits 64
org 0x1000
%include "hypercall.inc"
%include "lib.inc"
%include "cpuidbench.inc"
