#!/usr/bin/env python3
"""Ask /dev/kvm whether it could run shadowvisor: does it exist, which API
version, can it create a VM, and does KVM_GET_SUPPORTED_CPUID offer VMX
(CPUID.1:ECX[5]) to a guest — the nested VT-x that make run needs."""
import fcntl, os, struct, sys

KVM_GET_API_VERSION = 0xAE00
KVM_CREATE_VM = 0xAE01
KVM_GET_SUPPORTED_CPUID = 0xC008AE05
MAX = 256

def main():
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
    except OSError as e:
        print(f"kvm: cannot open /dev/kvm: {e}")
        return 1
    print(f"kvm: api version {fcntl.ioctl(fd, KVM_GET_API_VERSION)}")
    try:
        vm = fcntl.ioctl(fd, KVM_CREATE_VM, 0)
        print("kvm: KVM_CREATE_VM ok")
        os.close(vm)
    except OSError as e:
        print(f"kvm: KVM_CREATE_VM failed: {e}")
    buf = bytearray(struct.pack("II", MAX, 0) + bytes(40 * MAX))
    try:
        fcntl.ioctl(fd, KVM_GET_SUPPORTED_CPUID, buf)
    except OSError as e:
        print(f"kvm: KVM_GET_SUPPORTED_CPUID failed: {e}")
        return 1
    n = struct.unpack_from("I", buf, 0)[0]
    vmx = None
    for i in range(n):
        fn, idx, flags, eax, ebx, ecx, edx = struct.unpack_from("IIIIIII", buf, 8 + 40 * i)
        if fn == 1:
            vmx = bool(ecx & (1 << 5))
    print(f"kvm: guests may see VMX (nested VT-x): {vmx}")
    return 0 if vmx else 2

sys.exit(main())
