# shadowvisor — a minimal type-1 hypervisor on Intel VT-x.
#
# Targets:
#   make run         set up, build, boot the default demo on the best machine
#                    here (QEMU+KVM+OVMF with nested VT-x, else Bochs)
#   make run-bochs   boot the multiboot2 image in Bochs (emulated VMX)
#   make run-uefi    boot the UEFI application in QEMU+OVMF (KVM if usable)
#   make test        set up, build, run every test; ends with "N passed, N failed"
#   make unit        host unit tests only
#   make bench       benchmarks (Bochs, deterministic instruction clock)
#   make profile     the CPUID exit's C path under callgrind, per function
#   make fuzz        longer fuzzing runs of the validator and trace parser
#   make trace-doc   rewrite docs/TRACE.md's event tables from vmm/trace_events.def
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
            -flto $(WARN) -I. $(EXTRA_KCFLAGS)
MB2FLAGS := $(KCFLAGS) -fno-pie -mcmodel=small
EFIINC   := -I/usr/include/efi -I/usr/include/efi/x86_64
EFIFLAGS := $(KCFLAGS) -fpic -fshort-wchar -maccumulate-outgoing-args -DGNU_EFI_USE_MS_ABI $(EFIINC)
HOSTCFLAGS := -std=gnu11 -O1 -g $(WARN) -I.

# The core: everything below boot/, compiled once per boot path; the
# differential mode (rig/entrycheck/) runs on the CPU, so it is linked in too.
CORE_C   := $(wildcard vmm/*.c vmm/shadow/*.c vmm/fastpath/*.c arch/x86/*.c rig/entrycheck/*.c)
CORE_ASM := arch/x86/isr.asm arch/x86/vmx_entry.asm
GUESTS   := $(shell tools/gen-guests-asm.sh --names)
GUEST_BINS := $(GUESTS:%=$(B)/guest/%.bin)

MB2_OBJS := $(CORE_C:%.c=$(B)/mb2/%.o) $(B)/mb2/boot/multiboot2/mb2.o
EFI_OBJS := $(patsubst %.c,$(B)/efi/%.o,$(CORE_C)) $(B)/efi/boot/uefi/efi_main.o
ASM_OBJS := $(CORE_ASM:%.asm=$(B)/asm/%.o) $(B)/asm/guests.o

# Host unit tests: each links the module it tests and what that module
# uses, with arch/fake in place of the processor (never arch/x86's
# instructions); these lists are the layers' boundaries.
FAKE     := arch/fake/vmx.c arch/x86/vmcs_fields.c
M_TRACE  := vmm/trace.c vmm/fmt.c
M_SHADOW := $(wildcard vmm/shadow/*.c) $(FAKE) $(M_TRACE) tests/unit/baseline.c
M_MEM    := vmm/pagealloc.c vmm/ept.c
M_NOTIFY := vmm/notify.c vmm/vmcs_setup.c $(M_SHADOW)
M_RUN    := vmm/sched.c vmm/exits.c vmm/fastpath/fastpath.c vmm/fastpath/again.c $(M_NOTIFY)
M_RIG    := $(wildcard rig/entrycheck/*.c) $(M_MEM) $(M_NOTIFY)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all images run run-bochs run-uefi test unit bench profile fuzz deps clean tools trace-doc
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

# Link-time optimisation: arch/x86's VMREAD/VMWRITE inline into vmm/.
LINK_MB2 = $(CC) $(MB2FLAGS) -flto=auto -nostdlib -static -no-pie -Wl,-n -Wl,-z,max-page-size=0x1000 \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -Wl,--build-id=none -Wl,-T,linker.ld -o $@

$(B)/hv.elf: $(B)/mb2/boot/multiboot2/entry.o $(MB2_OBJS) $(ASM_OBJS) linker.ld
	$(LINK_MB2) $(B)/mb2/boot/multiboot2/entry.o $(MB2_OBJS) $(ASM_OBJS)

# make bench's floor flavours: the multiboot2 image with bench/floorN.c
# linked in place of vmm/fastpath/again.c (tools/bench.sh).
FLOOR_OBJS = $(filter-out $(B)/mb2/vmm/fastpath/again.o,$(MB2_OBJS))
$(B)/bench-floor%.elf: $(B)/mb2/bench/floor%.o $(B)/mb2/boot/multiboot2/entry.o $(FLOOR_OBJS) $(ASM_OBJS) linker.ld
	$(LINK_MB2) $(B)/mb2/boot/multiboot2/entry.o $(FLOOR_OBJS) $< $(ASM_OBJS)

# --- UEFI application (gnu-efi, OVMF) ---------------------------------------
$(B)/efi/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(EFIFLAGS) -MMD -MP -c -o $@ $<

$(B)/efi/hv.so: $(EFI_OBJS) $(ASM_OBJS)
	$(CC) $(EFIFLAGS) -flto=auto -nostdlib -shared -Wl,-znocombreloc -Wl,-z,noexecstack -Wl,-Bsymbolic \
		-Wl,-T,/usr/lib/elf_x86_64_efi.lds /usr/lib/crt0-efi-x86_64.o $^ -L/usr/lib -lefi -lgnuefi -o $@

$(B)/hypervisor.efi: $(B)/efi/hv.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

# --- tools -----------------------------------------------------------------
TRACE_SRCS := $(wildcard tools/trace/*.c)
tools: $(if $(TRACE_SRCS),$(B)/tools/svtrace) $(B)/tools/trace-doc
$(B)/tools/svtrace: $(TRACE_SRCS) $(wildcard tools/trace/*.h) vmm/trace_events.def
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 $(WARN) -o $@ $(TRACE_SRCS)

# docs/TRACE.md's event tables, made from vmm/trace_events.def.
$(B)/tools/trace-doc: tools/tracedef/gendoc.c vmm/trace_events.def
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O1 $(WARN) -o $@ $<

trace-doc: $(B)/tools/trace-doc
	@tools/tracedef/trace-doc.sh

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
UNIT_MODS_test_config         := vmm/config.c $(M_SHADOW)
UNIT_MODS_test_notify         := $(M_RUN)
UNIT_MODS_test_replay_arm     := $(M_RUN)
UNIT_MODS_test_sched_fast     := $(M_RUN)
UNIT_MODS_test_exits          := $(M_RUN)
UNIT_MODS_test_vm             := vmm/vm.c $(M_MEM) $(M_SHADOW)
# The event table's two readers: the emitter (vmm/trace.c) and svtrace.
UNIT_MODS_test_trace_events   := $(M_TRACE) tools/trace/events.c tools/trace/parse.c

UNIT_HEADERS := $(wildcard vmm/*.h vmm/*.def vmm/*/*.h arch/*/*.h arch/x86/*.def rig/entrycheck/*.h tests/unit/*.h tools/trace/*.h)
.SECONDEXPANSION:
$(B)/tests/%: tests/unit/%.c $$(UNIT_MODS_$$*) $(UNIT_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(HOSTCFLAGS) -o $@ $< $(sort $(UNIT_MODS_$*)) -lcmocka

unit: $(UNIT_TESTS)
	@tests/run.sh --unit-only

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_TESTS)
	@tests/run.sh

run: deps
	@$(MAKE) --no-print-directory images tools
	@tools/run.sh auto

run-bochs: deps
	@$(MAKE) --no-print-directory $(B)/hv.elf tools
	@tools/run.sh bochs

run-uefi: deps
	@$(MAKE) --no-print-directory $(B)/hypervisor.efi
	@tools/run.sh uefi

# make profile: the CPUID exit's C path under callgrind (tools/profile.sh).
PROFILE_SRCS := $(sort $(M_RUN))
$(B)/tools/hotpath: tools/profile/hotpath.c $(PROFILE_SRCS) $(wildcard vmm/*.h vmm/*.def vmm/shadow/*.h arch/x86/*.h arch/x86/*.def rig/entrycheck/*.h)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -fno-omit-frame-pointer -mgeneral-regs-only -fno-builtin $(WARN) \
		-I. -o $@ tools/profile/hotpath.c $(PROFILE_SRCS)

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
