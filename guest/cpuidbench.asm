; cpuidbench: times CPUID exits from inside the guest for `make bench`,
; in 32-bit protected mode (the body: cpuidbench.inc).
bits 32
org 0x1000
%include "hypercall.inc"
%include "lib.inc"
%include "cpuidbench.inc"
