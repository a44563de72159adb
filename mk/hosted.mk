# mk/hosted.mk - the build of the platforms whose unikernels are Linux
# executables (included by the Makefile): PLATFORM=hosted and, through
# mk/sim.mk, PLATFORM=sim. The library, the tools, the examples, the tests
# and the benchmarks, into $(BUILD) (build/hosted/ or build/sim/).

ARCH_PREFIX ?=
CC := $(if $(ARCH_PREFIX),$(ARCH_PREFIX)gcc,$(CC))
AR := $(if $(ARCH_PREFIX),$(ARCH_PREFIX)ar,ar)

ifeq ($(SANITIZE),1)
BUILD ?= build/$(PLATFORM)-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
else ifneq ($(ARCH_PREFIX),)
BUILD ?= build/$(PLATFORM)-$(patsubst %-linux-gnu-,%,$(ARCH_PREFIX))
else
BUILD ?= build/$(PLATFORM)
endif

CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -DMIOU_VERSION=\"$(VERSION)\" $(WARN) $(CFLAGS) $(SANFLAGS) \
              -Iinclude -Isrc $(EXTRA_CFLAGS)
LDFLAGS += $(SANFLAGS)

ifeq ($(PLATFORM),sim)
# The sim platform runs one thread, and its core lets the seed choose the
# order of woken tasks (src/platform/schedule.h).
ALL_CFLAGS += -DMIOU_PLATFORM_SIM=1 -DMIOU_SEEDED_SCHEDULE=1
else
# The hosted platform has threads: each may run a scheduler of its own.
ALL_CFLAGS += -DMIOU_THREAD_LOCAL=_Thread_local -DMIOU_PLATFORM_HOSTED=1
endif

# src/alloc: the heap allocator (include/miou_heap.h), on every platform.
CORE_SRC := $(wildcard src/core/*.c src/alloc/*.c) src/arch/context.c
ARCH := $(shell $(CC) -dumpmachine | cut -d- -f1)
ARCH_ASM := src/arch/$(ARCH).S
PLAT_SRC := $(wildcard src/platform/$(PLATFORM)/*.c src/platform/tender/*.c)

CORE_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(CORE_SRC)) \
            $(patsubst %.S,$(BUILD)/obj/%.o,$(ARCH_ASM))
PLAT_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(PLAT_SRC))

LIB := $(BUILD)/libmiou.a
PLAT_LIB := $(BUILD)/libmiou-$(PLATFORM).a

EXAMPLES := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))
# examples/lib/*.c: code the examples share (Ethernet, ARP, ICMP), linked
# into every example and benchmark.
EX_SUPPORT := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard examples/lib/*.c))

# A program DIR/NAME.c whose devices are declared in DIR/NAME.manifest.json
# (Solo5's format) is linked with the C that tools/miou-manifest makes of
# it; a program without one has no devices.
HOSTCC ?= cc
MANIFEST_TOOL := $(BUILD)/tools/miou-manifest
manifest_of = $(if $(wildcard $(1:.c=.manifest.json)),$(BUILD)/obj/gen/$(1:.c=.manifest.o))
# tests/test_*.c are test programs; tests/death_*.c are programs expected
# to die (stack overflow, ...), checked by scripts/test.sh; the other
# tests/*.c are the test framework, linked into each test program.
TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c tests/death_*.c))
TEST_SUPPORT := $(filter-out tests/test_%.c tests/death_%.c,$(wildcard tests/*.c))
ifeq ($(PLATFORM),sim)
# Tests of the hosted tender itself (threads, its device backends, unix
# sockets as links) have no meaning under sim; tests/sim/prop_*.c are the
# property programs, run over many seeds, with their runner
# tests/sim/prop.c.
SIM_EXCLUDED := test_hosted_threads test_tender_devices test_net
TESTS := $(filter-out $(addprefix $(BUILD)/tests/,$(SIM_EXCLUDED)),$(TESTS)) \
         $(patsubst tests/sim/%.c,$(BUILD)/tests/sim/%,$(wildcard tests/sim/prop_*.c))
PROP_SUPPORT := $(BUILD)/obj/tests/sim/prop.o
endif
BENCHES := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/bench_*.c))

.PHONY: all lib tools examples tests benches install
# Keep object files of programs: they are not throw-away intermediates.
.SECONDARY:
all: lib tools examples tests

lib: $(LIB) $(PLAT_LIB)
tools: $(MANIFEST_TOOL)
examples: $(EXAMPLES)
tests: $(TESTS)
benches: $(BENCHES)

$(BUILD)/obj/%.o: %.c $(wildcard include/*.h src/*/*.h src/*/*/*.h tests/*.h tests/sim/*.h examples/lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.S
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

$(BUILD)/obj/gen/%.manifest.o: $(BUILD)/gen/%.manifest.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The TCP/IP layer (lwIP): TCPIP_LIB, TCPIP_USERS.
TCPIP_INCLUDEDIR := include
include mk/lwip.mk
# A program that includes miou_tcpip.h links the stack too.
tcpip_of = $(if $(filter $(1),$(TCPIP_USERS)),$(TCPIP_LIB))

.SECONDEXPANSION:
LINK = $(CC) $(LDFLAGS) $(filter %.o,$^) -Wl,--start-group $(filter %/libmiou-tcpip.a,$^) $(PLAT_LIB) $(LIB) -Wl,--end-group -o $@

$(BUILD)/examples/%: $(BUILD)/obj/examples/%.o $$(call manifest_of,examples/$$*.c) $$(call tcpip_of,examples/$$*.c) $(EX_SUPPORT) $(PLAT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(LINK)

# Tests link the examples' shared code too (tests/test_netstack.c tests it).
$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $$(call manifest_of,tests/$$*.c) $$(call tcpip_of,tests/$$*.c) $(patsubst %.c,$(BUILD)/obj/%.o,$(TEST_SUPPORT)) $(EX_SUPPORT) $(PLAT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(LINK)

$(BUILD)/tests/sim/%: $(BUILD)/obj/tests/sim/%.o $$(call manifest_of,tests/sim/$$*.c) $(PROP_SUPPORT) $(EX_SUPPORT) $(PLAT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(LINK)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $$(call manifest_of,bench/$$*.c) $(EX_SUPPORT) $(PLAT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(LINK)

# tests/host/*.c: plain Linux programs the test scripts run on the host
# side (TCP clients that load the unikernels' servers); no miou in them.
HOST_TOOLS := $(patsubst tests/host/%.c,$(BUILD)/tests/host/%,$(wildcard tests/host/*.c))
ifneq ($(PLATFORM),sim)
tests: $(HOST_TOOLS)
endif

$(BUILD)/tests/host/%: tests/host/%.c
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

# The sim platform's core is built differently (seeded order of woken
# tasks, no thread-local state): installed under its own name, so that
# both platforms can share a prefix.
CORE_LIB_NAME := $(if $(filter sim,$(PLATFORM)),miou-sim-core,miou)

install: lib tools
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	    $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(MANIFEST_TOOL) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 include/miou.h include/miou_heap.h include/miou_$(PLATFORM).h \
	    include/solo5.h \
	    $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(PLAT_LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/lib$(CORE_LIB_NAME).a
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@PLATFORM@|$(PLATFORM)|g' -e 's|@CORE@|$(CORE_LIB_NAME)|g' \
	    miou.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/miou-$(PLATFORM).pc

# The freestanding C library's renamed copy, tested here (tests/test_libc).
include mk/libc.mk
