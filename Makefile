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
            -flto $(WARN) -I. $(EXTRA_KCFLAGS)
MB2FLAGS := $(KCFLAGS) -fno-pie -mcmodel=small
EFIINC   := -I/usr/include/efi -I/usr/include/efi/x86_64
EFIFLAGS := $(KCFLAGS) -fpic -fno-semantic-interposition -fshort-wchar -maccumulate-outgoing-args -DGNU_EFI_USE_MS_ABI $(EFIINC)
HOSTCFLAGS := -std=gnu11 -O1 -g $(WARN) -I.

# The core: everything below boot/, compiled once per boot path; the
# differential mode (rig/entrycheck/) runs on the CPU, so it is linked in too.
CORE_C   := $(wildcard vmm/*.c vmm/shadow/*.c vmm/fastpath/*.c vmm/devices/*.c vmm/pc/*.c arch/x86/*.c rig/entrycheck/*.c)
CORE_ASM := arch/x86/isr.asm arch/x86/vmx_entry.asm arch/x86/ap_boot.asm
GUESTS   := $(shell tools/gen-guests-asm.sh --names)
GUEST_BINS := $(GUESTS:%=$(B)/guest/%.bin)

MB2_OBJS := $(CORE_C:%.c=$(B)/mb2/%.o) $(B)/mb2/boot/multiboot2/mb2.o
EFI_OBJS := $(patsubst %.c,$(B)/efi/%.o,$(CORE_C)) $(B)/efi/boot/uefi/efi_main.o $(B)/efi/boot/uefi/efi_files.o
ASM_OBJS := $(CORE_ASM:%.asm=$(B)/asm/%.o) $(B)/asm/guests.o

# Host unit tests: each links the module it tests and what that module
# uses, with arch/fake in place of the processor (never arch/x86's
# instructions); these lists are the layers' boundaries.
FAKE     := arch/fake/vmx.c arch/x86/vmcs_fields.c
M_TRACE  := vmm/trace.c vmm/fmt.c
M_SHADOW := $(wildcard vmm/shadow/*.c) $(FAKE) $(M_TRACE) tests/unit/baseline.c
M_MEM    := vmm/pagealloc.c vmm/ept.c
M_NOTIFY := vmm/notify.c vmm/notify_move.c vmm/vmcs_setup.c $(M_SHADOW)
M_DEVICES := $(wildcard vmm/devices/*.c)
M_PC     := $(wildcard vmm/pc/*.c) $(M_DEVICES) $(M_MEM)
M_RUN    := vmm/sched.c vmm/migrate.c vmm/exits.c vmm/fastpath/fastpath.c vmm/fastpath/again.c $(M_PC) $(M_NOTIFY)
M_RIG    := $(wildcard rig/entrycheck/*.c) $(M_MEM) $(M_NOTIFY)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all images run run-bochs run-uefi test unit bench profile fuzz deps deps-test clean tools help trace-doc FORCE
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
	$(say) NASM $@
	$(Q)$(NASM) -f elf64 -o $@ $<

# --- multiboot2 image (GRUB, Bochs) ----------------------------------------
$(B)/mb2/%.o: %.c
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(MB2FLAGS) $(OBJ_DEFS) -MMD -MP -c -o $@ $<

$(B)/mb2/boot/multiboot2/entry.o: boot/multiboot2/entry.asm
	@mkdir -p $(@D)
	$(say) NASM $@
	$(Q)$(NASM) -f elf64 -o $@ $<

# Link-time optimisation: arch/x86's VMREAD/VMWRITE inline into vmm/.
LINK_MB2 = $(CC) $(MB2FLAGS) -flto=auto -nostdlib -static -no-pie -Wl,-n -Wl,-z,max-page-size=0x1000 \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -Wl,--build-id=none -Wl,-T,linker.ld -o $@

$(B)/hv.elf: $(B)/mb2/boot/multiboot2/entry.o $(MB2_OBJS) $(ASM_OBJS) linker.ld
	$(say) LD $@
	$(Q)$(LINK_MB2) $(B)/mb2/boot/multiboot2/entry.o $(MB2_OBJS) $(ASM_OBJS)

# make bench's floor flavours: the multiboot2 image with bench/floorN.c
# linked in place of vmm/fastpath/again.c (tools/bench.sh).
FLOOR_OBJS = $(filter-out $(B)/mb2/vmm/fastpath/again.o,$(MB2_OBJS))
$(B)/bench-floor%.elf: $(B)/mb2/bench/floor%.o $(B)/mb2/boot/multiboot2/entry.o $(FLOOR_OBJS) $(ASM_OBJS) linker.ld
	$(say) LD $@
	$(Q)$(LINK_MB2) $(B)/mb2/boot/multiboot2/entry.o $(FLOOR_OBJS) $< $(ASM_OBJS)

# --- UEFI application (gnu-efi, OVMF) ---------------------------------------
$(B)/efi/%.o: %.c
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(EFIFLAGS) $(OBJ_DEFS) -MMD -MP -c -o $@ $<

$(B)/efi/hv.so: $(EFI_OBJS) $(ASM_OBJS)
	$(say) LD $@
	$(Q)$(CC) $(EFIFLAGS) -flto=auto -nostdlib -shared -Wl,-znocombreloc -Wl,-z,noexecstack -Wl,-Bsymbolic \
		-Wl,-T,/usr/lib/elf_x86_64_efi.lds /usr/lib/crt0-efi-x86_64.o $^ -L/usr/lib -lefi -lgnuefi -o $@

$(B)/hypervisor.efi: $(B)/efi/hv.so
	$(say) OBJCOPY $@
	$(Q)$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

# --- tools -----------------------------------------------------------------
TRACE_SRCS := $(wildcard tools/trace/*.c)
tools: $(if $(TRACE_SRCS),$(B)/tools/svtrace) $(B)/tools/trace-doc ## build build/tools/svtrace, the trace reader
$(B)/tools/svtrace: $(TRACE_SRCS) $(wildcard tools/trace/*.h) vmm/trace_events.def $(B)/version.txt
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) -std=gnu11 -O2 $(WARN) $(VERSION_DEF) -o $@ $(TRACE_SRCS)

# docs/TRACE.md's event tables, made from vmm/trace_events.def.
$(B)/tools/trace-doc: tools/tracedef/gendoc.c vmm/trace_events.def
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) -std=gnu11 -O1 $(WARN) -o $@ $<

trace-doc: $(B)/tools/trace-doc ## rewrite docs/TRACE.md's event tables from vmm/trace_events.def
	@B=$(B) tools/tracedef/trace-doc.sh

# --- tests -----------------------------------------------------------------
UNIT_MODS_test_vmcs_fields    := $(FAKE)
UNIT_MODS_test_fmt            := $(M_TRACE)
UNIT_MODS_test_pagealloc      := $(M_MEM)
UNIT_MODS_test_ept            := $(M_MEM)
UNIT_MODS_test_validate       := $(M_SHADOW)
UNIT_MODS_test_validate_index := $(M_SHADOW)
UNIT_MODS_test_entry_checks   := $(M_SHADOW)
UNIT_MODS_test_vmcs_life      := $(M_SHADOW)
UNIT_MODS_test_pmr_cache      := $(M_SHADOW)
UNIT_MODS_test_config         := vmm/config.c $(M_RUN)
UNIT_MODS_test_notify         := $(M_RUN)
# svtrace's checker too (all of it but main.c): the move's trace is checked.
UNIT_MODS_test_smp_move       := $(M_NOTIFY) $(filter-out tools/trace/main.c tools/trace/summary.c \
	tools/trace/timeline.c tools/trace/timeline_draw.c tools/trace/compare.c tools/trace/collect.c,$(wildcard tools/trace/*.c))
UNIT_MODS_test_sched_smp      := $(M_RUN) $(filter-out tools/trace/main.c tools/trace/summary.c \
	tools/trace/timeline.c tools/trace/timeline_draw.c tools/trace/compare.c tools/trace/collect.c,$(wildcard tools/trace/*.c))
UNIT_MODS_test_replay_arm     := $(M_RUN)
UNIT_MODS_test_sched_fast     := $(M_RUN)
UNIT_MODS_test_exits          := $(M_RUN)
UNIT_MODS_test_casefile       := rig/entrycheck/casefile.c $(M_SHADOW)
UNIT_MODS_test_vm             := vmm/vm.c $(M_RUN)
UNIT_MODS_test_madt           := arch/x86/madt.c
UNIT_MODS_test_vmx_caps_diff  := arch/x86/vmx_caps_diff.c
UNIT_MODS_test_trace_lock     := $(M_TRACE)
UNIT_MODS_test_dev_uart       := vmm/devices/uart.c
UNIT_MODS_test_dev_pic        := vmm/devices/pic.c
UNIT_MODS_test_dev_pit        := vmm/devices/pit.c
UNIT_MODS_test_dev_cmos       := vmm/devices/cmos.c
UNIT_MODS_test_devices        := $(M_DEVICES)
UNIT_MODS_test_linux_boot     := vmm/pc/linux_boot.c
UNIT_MODS_test_pc             := $(M_RUN)
# The event table's two readers: the emitter (vmm/trace.c) and svtrace.
UNIT_MODS_test_trace_events   := $(M_TRACE) tools/trace/events.c tools/trace/parse.c

UNIT_HEADERS := $(wildcard vmm/*.h vmm/*.def vmm/*/*.h arch/*/*.h arch/x86/*.def rig/entrycheck/*.h tests/unit/*.h tools/trace/*.h)
.SECONDEXPANSION:
$(B)/tests/%: tests/unit/%.c $$(UNIT_MODS_$$*) $(UNIT_HEADERS)
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(HOSTCFLAGS) -o $@ $< $(sort $(UNIT_MODS_$*)) -lcmocka

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

# make run MACHINE=kvm|bochs-uefi|bochs27|qemu-tcg picks the machine by
# name; without MACHINE, tools/run.sh picks the best one here and says why
# (docs/machines.md). run-bochs and run-uefi are the older names.
run: ## boot the demo on the best machine here (KVM, else upstream Bochs + OVMF, else Bochs 2.7); MACHINE= picks
	@tools/deps.sh run
	@tools/run.sh --check >/dev/null
	@$(MAKE) --no-print-directory images tools
	@tools/run.sh $(or $(MACHINE),auto)

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
PROFILE_SRCS := $(sort $(M_RUN))
$(B)/tools/hotpath: | deps-test
$(B)/tools/hotpath: tools/profile/hotpath.c $(PROFILE_SRCS) $(UNIT_HEADERS)
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) -std=gnu11 -O2 -g -fno-omit-frame-pointer -mgeneral-regs-only -fno-builtin $(WARN) \
		-I. -o $@ tools/profile/hotpath.c $(PROFILE_SRCS)

$(B)/tools/dirtyk: | deps-test
$(B)/tools/dirtyk: tools/profile/dirtyk.c $(sort $(M_SHADOW)) $(UNIT_HEADERS)
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) -std=gnu11 -O2 -g -fno-omit-frame-pointer -mgeneral-regs-only -fno-builtin $(WARN) \
		-I. -o $@ tools/profile/dirtyk.c $(filter %.c,$(sort $(M_SHADOW)))

profile: $(B)/tools/hotpath $(B)/tools/dirtyk ## the CPUID exit's C path under callgrind, per function
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
