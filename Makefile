# miou-solo5 build. GNU make, no configure step.
#
#   make                 library, examples and tests for the hosted platform
#                        into build/hosted/
#   make test            the whole test suite (scripts/test.sh)
#   make bench           the benchmarks (bench/run.sh)
#   make install PREFIX=/usr/local
#
# Variables: CC, PLATFORM (hosted), SANITIZE=1 (ASan + UBSan build into
# build/hosted-san/), ARCH_PREFIX=aarch64-linux-gnu- (cross build into
# build/hosted-aarch64/), BUILD (output folder), EXTRA_CFLAGS.

PLATFORM ?= hosted
ifneq ($(PLATFORM),hosted)
$(error PLATFORM=$(PLATFORM) is not supported yet; use PLATFORM=hosted)
endif

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

PREFIX ?= /usr/local
VERSION := 0.1.0

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -DMIOU_VERSION=\"$(VERSION)\" $(WARN) $(CFLAGS) $(SANFLAGS) \
              -Iinclude -Isrc $(EXTRA_CFLAGS)
LDFLAGS += $(SANFLAGS)

# The hosted platform has threads: each may run a scheduler of its own.
ifeq ($(PLATFORM),hosted)
ALL_CFLAGS += -DMIOU_THREAD_LOCAL=_Thread_local
endif

CORE_SRC := $(wildcard src/core/*.c) src/arch/context.c
ARCH := $(shell $(CC) -dumpmachine | cut -d- -f1)
ARCH_ASM := src/arch/$(ARCH).S
PLAT_SRC := $(wildcard src/platform/$(PLATFORM)/*.c)

CORE_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(CORE_SRC)) \
            $(patsubst %.S,$(BUILD)/obj/%.o,$(ARCH_ASM))
PLAT_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(PLAT_SRC))

LIB := $(BUILD)/libmiou.a
PLAT_LIB := $(BUILD)/libmiou-$(PLATFORM).a

EXAMPLES := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))
# tests/test_*.c are test programs; tests/death_*.c are programs expected
# to die (stack overflow, ...), checked by scripts/test.sh; the other
# tests/*.c are the test framework, linked into each test program.
TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c tests/death_*.c))
TEST_SUPPORT := $(filter-out tests/test_%.c tests/death_%.c,$(wildcard tests/*.c))
BENCHES := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/bench_*.c))

.PHONY: all lib examples tests benches test bench install clean
# Keep object files of programs: they are not throw-away intermediates.
.SECONDARY:
all: lib examples tests

lib: $(LIB) $(PLAT_LIB)
examples: $(EXAMPLES)
tests: $(TESTS)
benches: $(BENCHES)

$(BUILD)/obj/%.o: %.c $(wildcard include/*.h src/*/*.h src/*/*/*.h tests/*.h)
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

$(BUILD)/examples/%: $(BUILD)/obj/examples/%.o $(PLAT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $< -Wl,--start-group $(PLAT_LIB) $(LIB) -Wl,--end-group -o $@

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(patsubst %.c,$(BUILD)/obj/%.o,$(TEST_SUPPORT)) $(PLAT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(filter %.o,$^) -Wl,--start-group $(PLAT_LIB) $(LIB) -Wl,--end-group -o $@

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(PLAT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $< -Wl,--start-group $(PLAT_LIB) $(LIB) -Wl,--end-group -o $@

# The test command does its own set-up: scripts/deps.sh installs the Debian
# packages it uses (qemu-user, the aarch64 cross compiler, ...) when missing.
test:
	scripts/deps.sh
	scripts/test.sh

bench:
	bench/run.sh

install: lib
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/miou.h include/solo5.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(LIB) $(PLAT_LIB) $(DESTDIR)$(PREFIX)/lib/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@PLATFORM@|$(PLATFORM)|g' miou.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/miou-$(PLATFORM).pc

clean:
	rm -rf build

# The README's first command: build, then run the example unikernels.
.PHONY: demo
demo: examples
	@for e in hello schedule sleep; do \
	    echo "== build/hosted/examples/$$e"; $(BUILD)/examples/$$e || exit 1; \
	done
