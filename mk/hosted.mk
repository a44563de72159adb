# mk/hosted.mk - the build of the platforms whose unikernels are Linux
# executables (included by the Makefile): PLATFORM=hosted and
# PLATFORM=sim. Into $(BUILD) (build/hosted/ or build/sim/, with -san or
# -aarch64 for those variants):
#
#   libmiou-$(PLATFORM).a  the platform: src/platform/$(PLATFORM)/, and
#                          what both share, src/platform/linux/ (the
#                          tender's option parser, tender_*.c, and the
#                          Solo5 calls both make the same way)
#   examples/NAME          examples/NAME.c
#   tests/NAME             tests/NAME.c: programs for every platform
#   tests/hosted/NAME      tests/hosted/NAME.c: hosted only
#   tests/sim/NAME         tests/sim/prop_*.c: sim only (property programs)
#   tests/tools/NAME       tests/tools/NAME.c: plain Linux programs (no
#                          miou) that test scripts run beside a unikernel
#   bench/NAME             bench/bench_*.c (make benches)
#
# The core (src/core, src/alloc, src/arch) is compiled once per
# architecture and variant, into $(CORE_BUILD)/libmiou.a (build/core/),
# and serves both platforms: nothing in it depends on which one links it.

ARCH_PREFIX ?=
CC := $(if $(ARCH_PREFIX),$(ARCH_PREFIX)gcc,$(CC))
AR := $(if $(ARCH_PREFIX),$(ARCH_PREFIX)ar,ar)

# -san: AddressSanitizer and UBSan; -aarch64 (or another prefix's
# architecture): a cross build, run under qemu-user by the tests.
VARIANT := $(if $(filter 1,$(SANITIZE)),-san)$(if $(ARCH_PREFIX),-$(patsubst %-linux-gnu-,%,$(ARCH_PREFIX)))
BUILD ?= build/$(PLATFORM)$(VARIANT)
CORE_BUILD ?= build/core$(VARIANT)

ifeq ($(SANITIZE),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
endif

# -MMD -MP: each object's header dependencies, read back below.
CORE_CFLAGS := -std=c11 -D_GNU_SOURCE -DMIOU_VERSION=\"$(VERSION)\" $(WARN) \
               $(CFLAGS) $(SANFLAGS) -MMD -MP -Iinclude -Isrc $(EXTRA_CFLAGS)
# Programs may look at the platform they are built for (a test reading
# the sim platform's in-memory disk); the core and the platforms never do.
PLATFORM_MACRO := MIOU_PLATFORM_$(if $(filter sim,$(PLATFORM)),SIM,HOSTED)
ALL_CFLAGS := $(CORE_CFLAGS) -D$(PLATFORM_MACRO)=1
# A program (examples/, tests/) is compiled as Solo5's toolchain compiles
# one: -ffreestanding, so that a program may define memset(), printf()
# and the like of its own, as freestanding programs do, without gcc
# turning their loops into calls to themselves; and the stack protector,
# whose failure the platform reports as Solo5 does
# (src/platform/linux/ssp.c). miou-$(PLATFORM).pc gives programs built
# outside the tree the same flags.
APP_CFLAGS := -ffreestanding -fstack-protector-strong
$(BUILD)/obj/examples/%.o $(BUILD)/obj/tests/%.o: ALL_CFLAGS += $(APP_CFLAGS)
LDFLAGS += $(SANFLAGS)

# ---- Libraries.

ARCH := $(shell $(CC) -dumpmachine | cut -d- -f1)
CORE_SRC := $(wildcard src/core/*.c src/alloc/*.c) src/arch/context.c
CORE_OBJ := $(patsubst %.c,$(CORE_BUILD)/obj/%.o,$(CORE_SRC)) \
            $(CORE_BUILD)/obj/src/arch/$(ARCH).o
PLAT_SRC := $(wildcard src/platform/$(PLATFORM)/*.c src/platform/linux/*.c)
PLAT_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(PLAT_SRC))

LIB := $(CORE_BUILD)/libmiou.a
PLAT_LIB := $(BUILD)/libmiou-$(PLATFORM).a

# ---- Programs.

EXAMPLES := $(patsubst %.c,$(BUILD)/%,$(wildcard examples/*.c))
# examples/lib/*.c: code the examples share (Ethernet, ARP, ICMP, option
# reading), linked into every example, test and benchmark.
EX_SUPPORT := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard examples/lib/*.c))
# tests/lib/*.c: the test framework, linked into every test program.
TEST_SUPPORT := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/lib/*.c))
TESTS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/test_*.c tests/death_*.c))
ifeq ($(PLATFORM),sim)
TESTS += $(patsubst %.c,$(BUILD)/%,$(wildcard tests/sim/prop_*.c))
# The peers of the sim platform's links (tests/sim/peers): they register
# themselves by a constructor, so they are linked as objects, into every
# program of the sim build.
SIM_PEERS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/sim/peers/*.c))
PROP_SUPPORT := $(BUILD)/obj/tests/sim/prop.o
else
TESTS += $(patsubst %.c,$(BUILD)/%,$(wildcard tests/hosted/test_*.c))
HOST_TOOLS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/tools/*.c))
endif
BENCHES := $(patsubst %.c,$(BUILD)/%,$(wildcard bench/bench_*.c))

# A program DIR/NAME.c whose devices are declared in DIR/NAME.manifest.json
# (Solo5's format) is linked with the C that tools/miou-manifest makes of
# it; a program without one has no devices.
HOSTCC ?= cc
MANIFEST_TOOL := $(BUILD)/tools/miou-manifest
manifest_of = $(if $(wildcard $(1:.c=.manifest.json)),$(BUILD)/obj/gen/$(1:.c=.manifest.o))

.PHONY: all lib tools examples tests benches install
# Keep object files of programs: they are not throw-away intermediates.
.SECONDARY:
all: lib tools examples tests

lib: $(LIB) $(PLAT_LIB)
tools: $(MANIFEST_TOOL)
examples: $(EXAMPLES)
tests: $(TESTS) $(HOST_TOOLS)
benches: $(BENCHES)

# Objects also depend on the makefiles: a change of flags rebuilds them
# (and an object from before -MMD, with no list of headers, is rebuilt).
BUILD_FILES := Makefile mk/hosted.mk

$(CORE_BUILD)/obj/%.o: %.c $(BUILD_FILES)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -c $< -o $@

$(CORE_BUILD)/obj/%.o: %.S $(BUILD_FILES)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c $(BUILD_FILES)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(CORE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(PLAT_LIB): $(PLAT_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

# The manifest tool runs on the build machine, whatever CC targets.
$(MANIFEST_TOOL): tools/miou-manifest.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=c11 -D_GNU_SOURCE -O2 $(WARN) $< -o $@

$(BUILD)/gen/%.manifest.c: %.manifest.json $(MANIFEST_TOOL)
	@mkdir -p $(dir $@)
	$(MANIFEST_TOOL) $< $@

$(BUILD)/obj/gen/%.manifest.o: $(BUILD)/gen/%.manifest.c $(BUILD_FILES)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The TCP/IP layer (lwIP): TCPIP_LIB, TCPIP_USERS.
TCPIP_INCLUDEDIR := include
include mk/lwip.mk
# A program that includes miou_tcpip.h links the stack too.
tcpip_of = $(if $(filter $(1),$(TCPIP_USERS)),$(TCPIP_LIB))
# The TLS layer (mbedTLS): TLS_LIB, TLS_USERS. A program that includes
# miou_tls.h links it, and the stack under it.
include mk/mbedtls.mk
tls_of = $(if $(filter $(1),$(TLS_USERS)),$(TLS_LIB) $(TCPIP_LIB) $(SIM_TLS_PEERS))

.SECONDEXPANSION:
LINK = $(CC) $(LDFLAGS) $(if $(filter %/libmiou-tls.a,$^),$(TLS_LDWRAP)) $(filter %.o,$^) -Wl,--start-group $(filter %/libmiou-tls.a %/libmiou-tcpip.a,$^) $(PLAT_LIB) $(LIB) -Wl,--end-group -o $@
# What a program DIR/NAME links besides its own object: its manifest, the
# stack if it uses it, the shared code, the libraries.
needs = $(BUILD)/obj/$(1).o $(call manifest_of,$(1).c) $(call tcpip_of,$(1).c) $(call tls_of,$(1).c) \
        $(EX_SUPPORT) $(SIM_PEERS) $(PLAT_LIB) $(LIB)

$(BUILD)/examples/%: $$(call needs,examples/$$*)
	@mkdir -p $(dir $@)
	$(LINK)

$(BUILD)/tests/%: $$(call needs,tests/$$*) $(TEST_SUPPORT)
	@mkdir -p $(dir $@)
	$(LINK)

$(BUILD)/tests/sim/%: $$(call needs,tests/sim/$$*) $(PROP_SUPPORT)
	@mkdir -p $(dir $@)
	$(LINK)

$(BUILD)/bench/%: $$(call needs,bench/$$*)
	@mkdir -p $(dir $@)
	$(LINK)

# tests/tools/*.c: plain Linux programs (TCP clients that load the
# unikernels' servers); no miou in them.
$(BUILD)/tests/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) $< -o $@ -lpthread

# bench: the baselines that are plain Linux programs (their own main, no
# miou, no Solo5), linked with the examples' shared code only.
# bench/baseline_ping.c answers pings on a TAP interface with the same
# responder as examples/ping.c, through a poll() loop of its own.
BENCH_BASELINES := $(BUILD)/bench/baseline_ping
benches: $(BENCH_BASELINES)

$(BUILD)/bench/baseline_ping: $(BUILD)/obj/bench/baseline_ping.o $(EX_SUPPORT)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@

# Into PREFIX beside the other platforms: the libraries named by platform
# (the core too: hosted's and sim's are the same code, Solo5's is not),
# the headers (the same files for hosted and sim), the manifest tool and
# miou-$(PLATFORM).pc; the build of a user's unikernel (install-share).
install: lib tools install-share
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	    $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(MANIFEST_TOOL) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 include/miou.h include/miou_heap.h include/miou_$(PLATFORM).h \
	    include/solo5.h \
	    $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(PLAT_LIB) $(DESTDIR)$(PREFIX)/lib/libmiou-$(PLATFORM).a
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libmiou-core-$(PLATFORM).a
	$(call install_pc,miou.pc.in,miou-$(PLATFORM).pc)

# The freestanding C library's renamed copy, tested here (tests/test_libc).
include mk/libc.mk

# Each object's headers, as the compiler found them (-MMD).
-include $(shell find $(BUILD)/obj $(CORE_BUILD)/obj -name '*.d' 2>/dev/null)
