# shadowvisor — a minimal type-1 hypervisor on Intel VT-x.
#
# Targets:
#   make run         set up, build, boot the default demo on the best machine
#                    here (KVM nested VT-x, else upstream Bochs + OVMF, else
#                    Bochs 2.7 + GRUB); MACHINE=... picks one by name
#   make run-bochs   boot the multiboot2 image in Bochs (emulated VMX)
#   make run-uefi    boot the UEFI application in QEMU+OVMF (KVM if usable)
#   make test        set up, build, run every test; ends with "N passed, N failed"
#   make unit        host unit tests only
#   make bench       benchmarks (Bochs, deterministic instruction clock)
#   make profile     the CPUID exit's C path under callgrind, per function
#   make fuzz        longer fuzzing runs of the validator and trace parser
#   make deps        install the Debian packages (tools/deps.sh)
#   make clean       remove build/
# Variables: VMS=hello,... POLICY=first SLOTS=2 (for run targets), TIMEOUT=s

B        := build
CC       := gcc
NASM     := nasm
LD       := ld
OBJCOPY  := objcopy

WARN     := -Wall -Wextra -Werror
KCFLAGS  := -std=gnu11 -O2 -g -ffreestanding -mno-red-zone -mgeneral-regs-only \
            -fno-stack-protector -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
            $(WARN) -I. -Ivmm -DSV_VMX_INLINE=\"arch/x86/vmx_inline.h\" $(EXTRA_KCFLAGS)
MB2FLAGS := $(KCFLAGS) -fno-pie -mcmodel=small
EFIINC   := -I/usr/include/efi -I/usr/include/efi/x86_64
EFIFLAGS := $(KCFLAGS) -fpic -fshort-wchar -maccumulate-outgoing-args -DGNU_EFI_USE_MS_ABI $(EFIINC)
HOSTCFLAGS := -std=gnu11 -O1 -g $(WARN) -I. -Ivmm -Ivmm/shadow

# The core: everything below boot/, compiled once per boot path.
CORE_C   := $(wildcard vmm/*.c vmm/shadow/*.c arch/x86/*.c)
CORE_ASM := arch/x86/isr.asm arch/x86/vmx_entry.asm
GUESTS   := $(shell tools/gen-guests-asm.sh --names)
GUEST_BINS := $(GUESTS:%=$(B)/guest/%.bin)

MB2_OBJS := $(CORE_C:%.c=$(B)/mb2/%.o) $(B)/mb2/boot/multiboot2/mb2.o
EFI_OBJS := $(patsubst %.c,$(B)/efi/%.o,$(filter-out arch/x86/lib_mem.c,$(CORE_C))) $(B)/efi/boot/uefi/efi_main.o
ASM_OBJS := $(CORE_ASM:%.asm=$(B)/asm/%.o) $(B)/asm/guests.o

# Host unit tests: the pure-C modules, linked with each tests/unit/test_*.c.
UNIT_SRCS  := $(wildcard vmm/shadow/*.c) vmm/notify.c vmm/config.c vmm/fmt.c vmm/trace.c \
              vmm/pagealloc.c vmm/ept.c vmm/vmcs_setup.c vmm/casefile.c vmm/entrycheck.c vmm/entrycheck_random.c vmm/departures.c
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))
UNIT_HELPERS := $(filter-out tests/unit/test_%,$(wildcard tests/unit/*.c))

.PHONY: all images run run-bochs run-uefi test unit bench profile fuzz deps clean tools
all: images tools
images: $(B)/hv.elf $(B)/hypervisor.efi

deps:
	@tools/deps.sh

# --- guests ---------------------------------------------------------------
$(B)/guest/hypercall.inc: vmm/hypercall.h
	@mkdir -p $(@D)
	sed -n 's/^#define \(HC_[A-Z_]*\) \([0-9a-fx]*\).*/%define \1 \2/p' $< > $@

$(B)/guest/%.bin: guest/%.asm $(wildcard guest/*.inc) $(B)/guest/hypercall.inc
	$(NASM) -f bin -I$(B)/guest/ -Iguest/ -o $@ $<

$(B)/guests.asm: guest/guests.def
	@mkdir -p $(@D)
	tools/gen-guests-asm.sh $(B)/guest > $@

$(B)/asm/guests.o: $(B)/guests.asm $(GUEST_BINS)
	@mkdir -p $(@D)
	$(NASM) -f elf64 -o $@ $<

$(B)/asm/%.o: %.asm
	@mkdir -p $(@D)
	$(NASM) -f elf64 -o $@ $<

# --- multiboot2 image (GRUB, Bochs) ----------------------------------------
$(B)/mb2/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(MB2FLAGS) -MMD -MP -c -o $@ $<

$(B)/mb2/boot/multiboot2/entry.o: boot/multiboot2/entry.asm
	@mkdir -p $(@D)
	$(NASM) -f elf64 -o $@ $<

$(B)/hv.elf: $(B)/mb2/boot/multiboot2/entry.o $(MB2_OBJS) $(ASM_OBJS) linker.ld
	$(LD) -n -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments -T linker.ld -o $@ \
		$(B)/mb2/boot/multiboot2/entry.o $(MB2_OBJS) $(ASM_OBJS)

# --- UEFI application (gnu-efi, OVMF) ---------------------------------------
$(B)/efi/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(EFIFLAGS) -MMD -MP -c -o $@ $<

$(B)/efi/hv.so: $(EFI_OBJS) $(ASM_OBJS)
	$(LD) -nostdlib -znocombreloc -z noexecstack -shared -Bsymbolic -T /usr/lib/elf_x86_64_efi.lds \
		/usr/lib/crt0-efi-x86_64.o $^ -L/usr/lib -lefi -lgnuefi -o $@

$(B)/hypervisor.efi: $(B)/efi/hv.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

# --- tools -----------------------------------------------------------------
TRACE_SRCS := $(wildcard tools/trace/*.c)
tools: $(if $(TRACE_SRCS),$(B)/tools/svtrace)
$(B)/tools/svtrace: $(TRACE_SRCS) $(wildcard tools/trace/*.h)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 $(WARN) -o $@ $(TRACE_SRCS)

# --- tests -----------------------------------------------------------------
$(B)/tests/%: tests/unit/%.c $(UNIT_SRCS) $(UNIT_HELPERS) $(wildcard vmm/*.h vmm/shadow/*.h vmm/shadow/*.def tests/unit/*.h)
	@mkdir -p $(@D)
	$(CC) $(HOSTCFLAGS) -o $@ $< $(UNIT_HELPERS) $(UNIT_SRCS) $(UNIT_EXTRA) -lcmocka

# The scheduler's fast path against the slow one needs the scheduler and the
# exit handlers too.
$(B)/tests/test_sched_fast: UNIT_EXTRA := vmm/sched.c vmm/exits.c
$(B)/tests/test_sched_fast: vmm/sched.c vmm/exits.c

unit: $(UNIT_TESTS)
	@tests/run.sh --unit-only

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_TESTS)
	@tests/run.sh

# make run MACHINE=kvm|bochs-uefi|bochs27|qemu-tcg picks the machine by
# name; without MACHINE, tools/run.sh picks the best one here and says why
# (docs/machines.md). run-bochs and run-uefi are the older names.
run: deps
	@$(MAKE) --no-print-directory images tools
	@tools/run.sh $(or $(MACHINE),auto)

run-bochs: deps
	@$(MAKE) --no-print-directory $(B)/hv.elf tools
	@tools/run.sh bochs

run-uefi: deps
	@$(MAKE) --no-print-directory $(B)/hypervisor.efi
	@tools/run.sh uefi

# make profile: the CPUID exit's C path under callgrind (tools/profile.sh).
PROFILE_SRCS := $(UNIT_SRCS) vmm/sched.c vmm/exits.c vmm/lib_string.c tests/unit/baseline.c
$(B)/tools/hotpath: tools/profile/hotpath.c $(PROFILE_SRCS) $(wildcard vmm/*.h vmm/shadow/*.h vmm/shadow/*.def)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -fno-omit-frame-pointer -mgeneral-regs-only -fno-builtin $(WARN) \
		-DSV_VMX_INLINE=\"tools/profile/fake_vmx_inline.h\" \
		-I. -Ivmm -Ivmm/shadow -o $@ tools/profile/hotpath.c $(PROFILE_SRCS)

profile: deps $(B)/tools/hotpath
	@tools/profile.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@tools/bench.sh

fuzz: deps
	@tools/fuzz.sh

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
