# mk/solo5.mk - the Solo5 build (included by the Makefile when
# PLATFORM=solo5): the library, the freestanding C library, the examples
# and the tests as unikernels for Solo5's tenders.
#
#   build/solo5/                objects, libraries, generated manifests
#   build/solo5/unikernels/P.o  program P with everything it uses from the
#                               project, linked into one relocatable object
#                               (its undefined symbols must all be Solo5's)
#   build/spt/P.spt             P linked with Solo5's spt bindings
#   build/hvt/P.hvt             P linked with Solo5's hvt bindings
#
# Solo5 is found as mk/solo5-tools.mk says: SOLO5_HOME (a built source
# tree, or an installed prefix) or PATH. SOLO5_ABIS (spt hvt) chooses the
# targets.

SOLO5_ABIS ?= spt hvt
include mk/solo5-tools.mk

ifeq ($(SOLO5_FREESTANDING),1)
# SOLO5_FREESTANDING=1: no Solo5 needed. The host's compiler, with the
# flags Solo5's wrapper gives (no host header, no host library, Solo5's
# stack protector), builds every program's relocatable object and its
# list of undefined symbols (make undefined), into build/solo5-check/. The
# test suite checks those lists on machines without Solo5 too. Nothing is
# linked: there are no bindings to link with.
HOSTCC ?= cc
CC := $(HOSTCC) -nostdinc -isystem $(shell $(HOSTCC) -print-file-name=include) \
      -ffreestanding -fstack-protector-strong -mstack-protector-guard=global
SOLO5_LD := ld
BUILD := build/solo5-check
MFT_OBJ :=
else
ifeq ($(SOLO5_CC),)
$(error Solo5's toolchain ($(SOLO5_TRIPLE)-cc) was not found: build Solo5 (see the README) and set SOLO5_HOME to its folder or put its toolchain on PATH)
endif
ifeq ($(SOLO5_ELFTOOL),)
$(error solo5-elftool was not found beside Solo5's toolchain: set SOLO5_HOME to a built Solo5 tree or put solo5-elftool on PATH)
endif

CC := $(SOLO5_CC)
BUILD := build/solo5
# Each program's manifest object (Solo5's note), made by solo5-elftool.
MFT_OBJ := $(BUILD)/obj/gen/%.mft.o
endif
NM ?= nm

# The freestanding C library: LIBC_SRC, LIBC_INCLUDE, LIBC_CFLAGS.
include mk/libc.mk

# Solo5's wrapper adds -nostdinc, -ffreestanding, Solo5's include folder
# (whose solo5.h is used instead of include/solo5.h: same ABI) and the
# stack protector. src/libc/include is the only C library there is.
# -fno-pie: the wrapper links a static, position-dependent executable, so
# position-independent code would only cost an indirection.
ALL_CFLAGS := -std=c11 -fno-pie -DMIOU_VERSION=\"$(VERSION)\" -DMIOU_PLATFORM_SOLO5=1 \
              $(WARN) $(CFLAGS) -MMD -MP -Iinclude -Isrc $(LIBC_INCLUDE) \
              $(EXTRA_CFLAGS)

CORE_SRC := $(wildcard src/core/*.c src/alloc/*.c) src/arch/context.c
ARCH_ASM := src/arch/$(SOLO5_ARCH).S
PLAT_SRC := $(wildcard src/platform/solo5/*.c)

obj_of = $(patsubst %.S,$(BUILD)/obj/%.o,$(patsubst %.c,$(BUILD)/obj/%.o,$(1)))

LIB := $(BUILD)/libmiou.a
PLAT_LIB := $(BUILD)/libmiou-solo5.a
LIBC_LIB := $(BUILD)/libmiou-libc.a
LIBS := $(PLAT_LIB) $(LIB) $(LIBC_LIB)

EX_SUPPORT := $(call obj_of,$(wildcard examples/lib/*.c))
TEST_SUPPORT := $(call obj_of,$(wildcard tests/lib/*.c))

# The programs for every platform; tests/hosted/ (the hosted tender
# itself) and tests/sim/ are left out by folder.
PROGRAMS := $(basename $(wildcard examples/*.c tests/test_*.c tests/death_*.c))

UNIKERNELS := $(foreach abi,$(SOLO5_ABIS),$(addprefix build/$(abi)/,$(addsuffix .$(abi),$(PROGRAMS))))

.PHONY: all lib examples tests install undefined
.SECONDARY:
ifeq ($(SOLO5_FREESTANDING),1)
all: lib undefined
else
all: lib $(UNIKERNELS)
endif
lib: $(LIBS)
examples: $(foreach abi,$(SOLO5_ABIS),$(filter build/$(abi)/examples/%,$(UNIKERNELS)))
tests: $(foreach abi,$(SOLO5_ABIS),$(filter build/$(abi)/tests/%,$(UNIKERNELS)))

# The C library's definitions are weak: a program may define memset(),
# printf() and the like of its own, as freestanding programs written for
# Solo5 do; its own then serve the whole unikernel, instead of clashing
# with ours when the linker pulls in the file that defines them. Each
# file's own definitions only (objcopy --weaken would also weaken its
# references to the others', which would then never be linked in).
OBJCOPY := $(or $(SOLO5_OBJCOPY),objcopy)
weaken_defined = $(NM) --defined-only -g $(1) | awk 'NF == 3 { print $$3 }' \
    >$(1).weak && $(OBJCOPY) --weaken-symbols=$(1).weak $(1)

# Objects also depend on the makefiles: a change of flags rebuilds them.
$(BUILD)/obj/%.o: %.c Makefile mk/solo5.mk
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(if $(filter src/libc/%,$<),$(LIBC_CFLAGS)) -c $< -o $@
	$(if $(filter src/libc/%,$<),$(call weaken_defined,$@))

$(BUILD)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(call obj_of,$(CORE_SRC) $(ARCH_ASM))
$(PLAT_LIB): $(call obj_of,$(PLAT_SRC))
$(LIBC_LIB): $(call obj_of,$(LIBC_SRC))
$(LIBS):
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

# Each program's manifest, by Solo5's own tool; a program without
# DIR/NAME.manifest.json has no devices (mk/empty.manifest.json).
.SECONDEXPANSION:
$(BUILD)/gen/%.mft.c: $$(firstword $$(wildcard $$*.manifest.json) mk/empty.manifest.json)
	@mkdir -p $(dir $@)
	$(SOLO5_ELFTOOL) gen-manifest $< $@

$(BUILD)/obj/gen/%.mft.o: $(BUILD)/gen/%.mft.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The TCP/IP layer (lwIP), built with the freestanding C library:
# TCPIP_LIB, TCPIP_USERS.
TCPIP_INCLUDEDIR := include/miou-solo5
include mk/lwip.mk
tcpip_of = $(if $(filter $(1),$(TCPIP_USERS)),$(TCPIP_LIB))
# The TLS layer (mbedTLS), likewise: TLS_LIB, TLS_USERS.
include mk/mbedtls.mk
tls_of = $(if $(filter $(1),$(TLS_USERS)),$(TLS_LIB) $(TCPIP_LIB))

# What each kind of program links besides its own object and manifest.
support_of = $(if $(filter tests/%,$(1)),$(TEST_SUPPORT) $(EX_SUPPORT),$(EX_SUPPORT))

# One relocatable object per program: the linker pulls from the libraries
# exactly what the program uses, so its undefined symbols are what the
# unikernel asks of Solo5's bindings (scripts/check_solo5.sh checks them).
# --wrap=solo5_app_main: src/platform/solo5/start.c sees the start info
# before the application does; only the bindings call it, so -u pulls it
# in here.
$(BUILD)/unikernels/%.o: $(BUILD)/obj/%.o $(MFT_OBJ) $$(call support_of,$$*) $$(call tcpip_of,$$*.c) $$(call tls_of,$$*.c) $(LIBS)
	@mkdir -p $(dir $@)
	$(SOLO5_LD) -r --wrap=solo5_app_main -u __wrap_solo5_app_main \
	    $(if $(filter %/libmiou-tls.a,$^),$(TLS_WRAP)) \
	    -o $@ $(filter %.o,$^) \
	    --start-group $(filter %/libmiou-tls.a %/libmiou-tcpip.a,$^) $(LIBS) --end-group

$(BUILD)/unikernels/%.undefined: $(BUILD)/unikernels/%.o
	$(NM) -u $< | awk '{ print $$2 }' | sort -u > $@

# build/ABI/P.ABI for each of Solo5's targets: spt and hvt by default;
# virtio (a multiboot image for a standard virtual machine, such as
# qemu-system-x86_64) with SOLO5_ABIS="spt hvt virtio".
define solo5_link
build/$(1)/%.$(1): $$(BUILD)/unikernels/%.o
	@mkdir -p $$(dir $$@)
	$$(CC) -z solo5-abi=$(1) -Wl,--wrap=solo5_app_main $$< -o $$@
endef
$(foreach abi,spt hvt virtio,$(eval $(call solo5_link,$(abi))))

# The lists of undefined symbols, for the symbol check of the test suite.
undefined: $(addprefix $(BUILD)/unikernels/,$(addsuffix .undefined,$(PROGRAMS)))

# Into PREFIX beside the other platforms: the headers in a folder of
# their own (the C library's would hide the host's), the libraries named
# by platform, miou-solo5.pc; the build of a user's unikernel
# (install-share).
install: lib install-share
	install -d $(DESTDIR)$(PREFIX)/include/miou-solo5 \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/miou.h include/miou_heap.h src/libc/include/*.h \
	    $(DESTDIR)$(PREFIX)/include/miou-solo5/
	install -m 644 $(PLAT_LIB) $(DESTDIR)$(PREFIX)/lib/libmiou-solo5.a
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libmiou-core-solo5.a
	install -m 644 $(LIBC_LIB) $(DESTDIR)$(PREFIX)/lib/libmiou-libc-solo5.a
	$(call install_pc,miou-solo5.pc.in,miou-solo5.pc)

# The benchmarks as unikernels (bench/run.sh runs them under solo5-spt).
include mk/solo5-bench.mk

# Each object's headers, as the compiler found them (-MMD).
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
