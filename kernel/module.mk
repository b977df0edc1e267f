# kernel/: the KPIO kernel (ELF64, Multiboot2) and the bootable ISO.
#
# The kernel links twice: the first link gives the addresses for the symbol
# table (scripts/gen_ksyms.py), the second embeds it. .ksyms sits after
# .text and .rodata, so the second link moves no code.

KERNEL_SRCS += $(sort $(shell find kernel -name '*.c'))
KERNEL_ASM += $(sort $(shell find kernel -name '*.S'))

KERNEL_OBJS = $(patsubst %.c,$(BUILD)/kernel/%.o,$(KERNEL_SRCS) $(KERNEL_LIB_SRCS)) \
              $(patsubst %.S,$(BUILD)/kernel/%.o,$(KERNEL_ASM))
# Archives linked after the objects, as one group (Mbed TLS and lib/tls
# refer to each other); lib/*/module.mk add to it.
KERNEL_LINK = $(KERNEL_OBJS) --start-group $(KERNEL_LINK_LIBS) --end-group
KERNEL_LDFLAGS := -n -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments -T kernel/arch/x86_64/linker.ld

$(BUILD)/kernel/kpio.pass1.elf: $(KERNEL_OBJS) $(KERNEL_LINK_LIBS) $(BUILD)/kernel/ksyms_empty.o \
    kernel/arch/x86_64/linker.ld
	@echo "  LD      $@"
	@$(KERNEL_LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_LINK) $(BUILD)/kernel/ksyms_empty.o

$(BUILD)/kernel/ksyms_empty.S: scripts/gen_ksyms.py
	@mkdir -p $(@D)
	@python3 scripts/gen_ksyms.py > $@

$(BUILD)/kernel/ksyms.S: $(BUILD)/kernel/kpio.pass1.elf scripts/gen_ksyms.py
	@nm -n $< > $(BUILD)/kernel/kpio.pass1.nm
	@python3 scripts/gen_ksyms.py $(BUILD)/kernel/kpio.pass1.nm > $@

$(BUILD)/kernel/ksyms.o: $(BUILD)/kernel/ksyms.S
	@$(KERNEL_CC) -c $< -o $@

$(BUILD)/kernel/ksyms_empty.o: $(BUILD)/kernel/ksyms_empty.S
	@$(KERNEL_CC) -c $< -o $@

$(BUILD)/kernel/kpio.elf: $(BUILD)/kernel/kpio.pass1.elf $(BUILD)/kernel/ksyms.o
	@echo "  LD      $@"
	@$(KERNEL_LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_LINK) $(BUILD)/kernel/ksyms.o
	@nm -n $@ | grep -i ' t ' > $@.nm2; nm -n $< | grep -i ' t ' | cmp -s - $@.nm2 || \
	    { echo "kernel text moved between link passes"; rm -f $@; exit 1; }

$(BUILD)/kpio.iso: $(BUILD)/kernel/kpio.elf kernel/boot/grub.cfg kernel/module.mk
	@echo "  ISO     $@"
	@rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	@cp $(BUILD)/kernel/kpio.elf $(BUILD)/iso/boot/kpio.elf
	@cp kernel/boot/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	@grub-mkrescue -o $@ $(BUILD)/iso >$(BUILD)/grub-mkrescue.log 2>&1 || \
	    { cat $(BUILD)/grub-mkrescue.log; exit 1; }

ALL_TARGETS += $(BUILD)/kpio.iso
