; Multiboot2 header and 32-bit -> 64-bit trampoline.
; GRUB enters _start in 32-bit protected mode, paging off, EAX = magic,
; EBX = multiboot2 information. We identity-map the first 4 GiB with 2 MiB
; pages, enable long mode and call mb2_main(magic, mbi) in 64-bit mode.

MB2_MAGIC  equ 0xe85250d6
MB2_ARCH   equ 0                    ; i386 protected mode

section .multiboot2
align 8
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH + (mb2_header_end - mb2_header))
	align 8
	dw 0                            ; end tag
	dw 0
	dd 8
mb2_header_end:

section .data
global boot_tsc
align 8
boot_tsc: dq 0

section .bss
align 4096
boot_pml4:  resb 4096
boot_pdpt:  resb 4096
boot_pd:    resb 4096 * 4
boot_stack: resb 32768
boot_stack_top:

section .rodata
align 8
gdt64:
	dq 0
	dq 0x00af9a000000ffff           ; 0x08: 64-bit code
	dq 0x00cf92000000ffff           ; 0x10: data
gdt64_end:
gdt64_ptr:
	dw gdt64_end - gdt64 - 1
	dd gdt64

section .text
bits 32
global _start
extern mb2_main
_start:
	cli
	cld
	mov ebp, eax                    ; magic
	mov esi, ebx                    ; mbi
	rdtsc                           ; the moment GRUB handed over (make bench)
	mov [boot_tsc], eax
	mov [boot_tsc + 4], edx
	mov esp, boot_stack_top

	mov edi, boot_pml4              ; zero the tables
	mov ecx, (4096 * 6) / 4
	xor eax, eax
	rep stosd

	mov eax, boot_pdpt
	or eax, 3                       ; present, writable
	mov [boot_pml4], eax

	xor ecx, ecx
.pdpt:
	mov eax, ecx
	shl eax, 12
	add eax, boot_pd
	or eax, 3
	mov [boot_pdpt + ecx * 8], eax
	inc ecx
	cmp ecx, 4
	jne .pdpt

	xor ecx, ecx
.pd:
	mov eax, ecx
	shl eax, 21
	or eax, 0x83                    ; present, writable, 2 MiB page
	mov [boot_pd + ecx * 8], eax
	inc ecx
	cmp ecx, 2048
	jne .pd

	mov eax, boot_pml4
	mov cr3, eax
	mov eax, cr4
	or eax, 1 << 5                  ; PAE
	mov cr4, eax
	mov ecx, 0xc0000080             ; IA32_EFER
	rdmsr
	or eax, 1 << 8                  ; LME
	wrmsr
	mov eax, cr0
	or eax, 0x80000001              ; PG | PE
	mov cr0, eax
	lgdt [gdt64_ptr]
	jmp 0x08:long_mode

bits 64
long_mode:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	mov rsp, boot_stack_top
	mov edi, ebp                    ; magic (zero-extended)
	mov esi, esi                    ; mbi (zero-extended)
	call mb2_main
.hang:
	cli
	hlt
	jmp .hang
