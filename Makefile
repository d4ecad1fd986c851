# shadowvisor — a minimal type-1 hypervisor on Intel VT-x.
# `make help` lists every target and variable. Targets with `## ` after
# their prerequisites are listed by it; the variables of the run targets
# are in tools/options.sh.

# --- quiet build: V=1 shows each command, otherwise one line per file ------
V ?= 0
ifeq ($(V),1)
Q   :=
say := @true
else
Q   := @
say := @printf '  %-7s %s\n'
endif

# --- version: git describe, "unknown" outside a git checkout -------------
# build/version.txt changes only when the version does, so that only the
# files that print it are rebuilt.
SV_VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
VERSION_DEF := -DSV_VERSION='"$(SV_VERSION)"'

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

.PHONY: all images run run-bochs run-uefi test unit bench profile fuzz deps deps-test clean tools help FORCE
all: images tools ## build the two images and svtrace
images: $(B)/hv.elf $(B)/hypervisor.efi ## build build/hv.elf (multiboot2) and build/hypervisor.efi (UEFI)

deps: ## install every Debian package (tools/deps.sh; run or test for one set)
	@tools/deps.sh
deps-test: ## install the run and test packages only (tools/deps.sh test)
	@tools/deps.sh test

# --- guests ---------------------------------------------------------------
$(B)/guest/hypercall.inc: vmm/hypercall.h
	@mkdir -p $(@D)
	$(say) GEN $@
	$(Q)sed -n 's/^#define \(HC_[A-Z_]*\) \([0-9a-fx]*\).*/%define \1 \2/p' $< > $@

$(B)/guest/%.bin: guest/%.asm $(wildcard guest/*.inc) $(B)/guest/hypercall.inc
	$(say) NASM $@
	$(Q)$(NASM) -f bin -I$(B)/guest/ -Iguest/ -o $@ $<

$(B)/guests.asm: guest/guests.def
	@mkdir -p $(@D)
	$(say) GEN $@
	$(Q)tools/gen-guests-asm.sh $(B)/guest > $@

$(B)/asm/guests.o: $(B)/guests.asm $(GUEST_BINS)
	@mkdir -p $(@D)
	$(say) NASM $@
	$(Q)$(NASM) -f elf64 -o $@ $<

$(B)/asm/%.o: %.asm
	@mkdir -p $(@D)
	$(say) NASM $<
	$(Q)$(NASM) -f elf64 -o $@ $<

# --- multiboot2 image (GRUB, Bochs) ----------------------------------------
$(B)/mb2/%.o: %.c
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(MB2FLAGS) $(OBJ_DEFS) -MMD -MP -c -o $@ $<

$(B)/mb2/boot/multiboot2/entry.o: boot/multiboot2/entry.asm
	@mkdir -p $(@D)
	$(say) NASM $<
	$(Q)$(NASM) -f elf64 -o $@ $<

$(B)/hv.elf: $(B)/mb2/boot/multiboot2/entry.o $(MB2_OBJS) $(ASM_OBJS) linker.ld
	$(say) LD $@
	$(Q)$(LD) -n -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments -T linker.ld -o $@ \
		$(B)/mb2/boot/multiboot2/entry.o $(MB2_OBJS) $(ASM_OBJS)

# --- UEFI application (gnu-efi, OVMF) ---------------------------------------
$(B)/efi/%.o: %.c
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(EFIFLAGS) $(OBJ_DEFS) -MMD -MP -c -o $@ $<

$(B)/efi/hv.so: $(EFI_OBJS) $(ASM_OBJS)
	$(say) LD $@
	$(Q)$(LD) -nostdlib -znocombreloc -z noexecstack -shared -Bsymbolic -T /usr/lib/elf_x86_64_efi.lds \
		/usr/lib/crt0-efi-x86_64.o $^ -L/usr/lib -lefi -lgnuefi -o $@

$(B)/hypervisor.efi: $(B)/efi/hv.so
	$(say) OBJCOPY $@
	$(Q)$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

# --- tools -----------------------------------------------------------------
TRACE_SRCS := $(wildcard tools/trace/*.c)
tools: $(if $(TRACE_SRCS),$(B)/tools/svtrace) ## build build/tools/svtrace, the trace reader
$(B)/tools/svtrace: $(TRACE_SRCS) $(wildcard tools/trace/*.h) $(B)/version.txt
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) -std=gnu11 -O2 $(WARN) $(VERSION_DEF) -o $@ $(TRACE_SRCS)

# --- tests -----------------------------------------------------------------
$(B)/tests/%: tests/unit/%.c $(UNIT_SRCS) $(UNIT_HELPERS) $(wildcard vmm/*.h vmm/shadow/*.h vmm/shadow/*.def tests/unit/*.h)
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(HOSTCFLAGS) -o $@ $< $(UNIT_HELPERS) $(UNIT_SRCS) $(UNIT_EXTRA) -lcmocka

# The scheduler's fast path against the slow one needs the scheduler and the
# exit handlers too.
$(B)/tests/test_sched_fast: UNIT_EXTRA := vmm/sched.c vmm/exits.c
$(B)/tests/test_sched_fast: vmm/sched.c vmm/exits.c

# --- version stamp (see the top) -------------------------------------------
$(B)/version.txt: FORCE
	@mkdir -p $(@D)
	@echo '$(SV_VERSION)' | cmp -s - $@ || echo '$(SV_VERSION)' > $@
$(B)/mb2/vmm/main.o $(B)/efi/vmm/main.o: OBJ_DEFS := $(VERSION_DEF)
$(B)/mb2/vmm/main.o $(B)/efi/vmm/main.o: $(B)/version.txt
FORCE:

# --- run and test ------------------------------------------------------------
# The run targets install the runtime packages only when a tool is missing
# (tools/deps.sh run), and check every variable before they build
# (tools/run.sh --check), so that a bad value boots nothing.
help: ## list the targets and variables
	@tools/help.sh

unit: $(UNIT_TESTS) ## host unit tests only
	@tests/run.sh --unit-only $(if $(T),--only '$(T)')

test: ## build and run every test (T=NAME: only the tests whose name has NAME)
	@tools/deps.sh test
	@$(MAKE) --no-print-directory all $(UNIT_TESTS)
	@tests/run.sh $(if $(T),--only '$(T)')

run: ## boot the default demo on the best machine here (QEMU+KVM, else Bochs)
	@tools/deps.sh run
	@tools/run.sh --check >/dev/null
	@$(MAKE) --no-print-directory images tools
	@tools/run.sh auto

run-bochs: ## boot the multiboot2 image through GRUB in Bochs (emulated VMX)
	@tools/deps.sh run
	@tools/run.sh --check >/dev/null
	@$(MAKE) --no-print-directory $(B)/hv.elf tools
	@tools/run.sh bochs

run-uefi: ## boot the UEFI application in QEMU+OVMF (KVM when usable)
	@tools/deps.sh run
	@tools/run.sh --check >/dev/null
	@$(MAKE) --no-print-directory $(B)/hypervisor.efi tools
	@tools/run.sh uefi

# make profile: the CPUID exit's C path under callgrind (tools/profile.sh).
PROFILE_SRCS := $(UNIT_SRCS) vmm/sched.c vmm/exits.c vmm/lib_string.c tests/unit/baseline.c
$(B)/tools/hotpath: | deps-test
$(B)/tools/hotpath: tools/profile/hotpath.c $(PROFILE_SRCS) $(wildcard vmm/*.h vmm/shadow/*.h vmm/shadow/*.def)
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) -std=gnu11 -O2 -g -fno-omit-frame-pointer -mgeneral-regs-only -fno-builtin $(WARN) \
		-DSV_VMX_INLINE=\"tools/profile/fake_vmx_inline.h\" \
		-I. -Ivmm -Ivmm/shadow -o $@ tools/profile/hotpath.c $(PROFILE_SRCS)

profile: $(B)/tools/hotpath ## the CPUID exit's C path under callgrind, per function
	@tools/profile.sh

bench: ## benchmarks in Bochs (deterministic instruction clock)
	@tools/deps.sh run
	@$(MAKE) --no-print-directory all
	@tools/bench.sh

fuzz: ## longer fuzzing runs of the validator and the trace parser
	@tools/deps.sh test
	@tools/fuzz.sh

clean: ## remove build/
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
