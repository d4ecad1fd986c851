; cpuidbench64hi: cpuidbench64 at the guest's alias above 4 GiB
; (GUEST_HIGH_ALIAS, vmm/vm.h), where a 64-bit kernel's code usually is:
; there the entry check on RIP needs the guest's mode.
bits 64
org 0x1000
%define ABOVE_4G
%include "hypercall.inc"
%include "lib.inc"
%include "cpuidbench.inc"
