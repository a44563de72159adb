# miou-solo5 build. GNU make, no configure step.
#
#   make                   the library, examples and tests of the hosted
#                          platform into build/hosted/ (mk/hosted.mk)
#   make PLATFORM=sim      the same for the deterministic simulator, into
#                          build/sim/ (mk/hosted.mk)
#   make PLATFORM=solo5    the same as Solo5 unikernels, with Solo5's
#                          toolchain (mk/solo5.mk): build/spt/.../NAME.spt
#                          and build/hvt/.../NAME.hvt
#   make check             the fast part of the test suite (under a minute)
#   make test              the whole test suite (scripts/test.sh)
#   make test-PART         one part of it: hosted, asan, clang, valgrind,
#                          aarch64, sim, sim-asan, devices, tcpip, tls, solo5,
#                          fuzz, install, readme (CASE=... narrows it)
#   make sim-test SEEDS=N  the property programs over N seeds each
#   make bench             the benchmarks (bench/run.sh)
#   make demo              the README's demo
#   make install PREFIX=/usr/local   (also with PLATFORM=sim or solo5:
#                          every platform installs into one prefix)
#   make install-tcpip PREFIX=...    the TCP/IP layer (fetches lwIP)
#
# Variables: CC, PLATFORM (hosted, sim or solo5), SANITIZE=1 (ASan and
# UBSan, into build/PLATFORM-san/), ARCH_PREFIX=aarch64-linux-gnu- (a
# cross build into build/PLATFORM-aarch64/), BUILD (the output folder),
# CORE_BUILD (the core library's, build/core/), EXTRA_CFLAGS; for Solo5,
# SOLO5_HOME (see mk/solo5.mk).

PLATFORM ?= hosted
.DEFAULT_GOAL := all

PREFIX ?= /usr/local
VERSION := 0.1.0

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes
CFLAGS ?= -O2 -g

# $(call install_pc,TEMPLATE,NAME): the pkg-config file NAME made from
# TEMPLATE (miou*.pc.in) into PREFIX/lib/pkgconfig, its @WORDS@ replaced.
install_pc = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
    -e 's|@PLATFORM@|$(PLATFORM)|g' -e 's|@APP_CFLAGS@|$(APP_CFLAGS)|g' \
    -e 's|@INCLUDEDIR@|$(TCPIP_INCLUDEDIR)|g' \
    $(1) >$(DESTDIR)$(PREFIX)/lib/pkgconfig/$(2)

# The build of each platform: its compiler, its folders, its rules.
ifeq ($(PLATFORM),hosted)
include mk/hosted.mk
else ifeq ($(PLATFORM),sim)
include mk/hosted.mk
else ifeq ($(PLATFORM),solo5)
include mk/solo5.mk
else
$(error PLATFORM=$(PLATFORM) is not supported; use PLATFORM=hosted, PLATFORM=sim or PLATFORM=solo5)
endif

.PHONY: test check bench clean demo sim-test install-share

# What every platform's install adds (the same files each time): the
# build of a user's own unikernel, PREFIX/share/miou-solo5/unikernel.mk
# (README, "Your own unikernel"), with what it includes and the manifest
# of a unikernel without devices.
SHARE_FILES := mk/unikernel.mk mk/solo5-tools.mk mk/empty.manifest.json
install-share:
	install -d $(DESTDIR)$(PREFIX)/share/miou-solo5
	install -m 644 $(SHARE_FILES) $(DESTDIR)$(PREFIX)/share/miou-solo5/

# The test commands do their own set-up: scripts/deps.sh installs the
# Debian packages the tests use (qemu-user, the aarch64 cross compiler,
# ...) when missing.
test:
	scripts/deps.sh
	scripts/test.sh $(if $(CASE),CASE='$(CASE)')

check:
	scripts/test.sh check $(if $(CASE),CASE='$(CASE)')

test-%:
	scripts/deps.sh
	scripts/test.sh $* $(if $(CASE),CASE='$(CASE)')

bench:
	bench/run.sh

# The sim platform's property programs over more seeds than make test
# gives them: make sim-test SEEDS=100000 [FIRST=S].
SEEDS ?= 10000
FIRST ?= 1
sim-test:
	SIM_SEEDS=$(SEEDS) SIM_FIRST=$(FIRST) SIM_SECONDS=86400 scripts/test.sh props

clean:
	rm -rf build

# The README's first command: build, then run the device demo
# (scripts/demo.sh: a unikernel serving ping in a network namespace while
# other tasks sleep and do block I/O; unprivileged parts when not root).
# Only the two programs it runs: no lwIP, so no network to fetch it.
demo: $(BUILD)/examples/demo $(BUILD)/examples/pinger
	@scripts/deps.sh demo
	@scripts/demo.sh
