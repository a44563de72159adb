# miou-solo5 build. GNU make, no configure step.
#
#   make                 library, examples and tests for the hosted platform
#                        into build/hosted/ (mk/hosted.mk)
#   make PLATFORM=sim    the same for the deterministic simulator into
#                        build/sim/ (mk/hosted.mk)
#   make sim-test SEEDS=N  the property programs over N seeds each
#   make PLATFORM=solo5  the same for Solo5's tenders, with Solo5's
#                        toolchain (mk/solo5.mk): build/spt/.../NAME.spt and
#                        build/hvt/.../NAME.hvt
#   make test            the whole test suite (scripts/test.sh)
#   make bench           the benchmarks (bench/run.sh)
#   make install PREFIX=/usr/local   (also with PLATFORM=solo5)
#   make install-tcpip PREFIX=...    the TCP/IP layer (fetches lwIP)
#
# Variables: CC, PLATFORM (hosted or solo5), SANITIZE=1 (ASan + UBSan
# build into build/hosted-san/), ARCH_PREFIX=aarch64-linux-gnu- (cross
# build into build/hosted-aarch64/), BUILD (output folder), EXTRA_CFLAGS;
# for Solo5, SOLO5_HOME (see mk/solo5.mk).

PLATFORM ?= hosted
.DEFAULT_GOAL := all

PREFIX ?= /usr/local
VERSION := 0.1.0

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes
CFLAGS ?= -O2 -g

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

.PHONY: test bench clean demo sim-test

# The test command does its own set-up: scripts/deps.sh installs the Debian
# packages it uses (qemu-user, the aarch64 cross compiler, ...) when missing.
test:
	scripts/deps.sh
	scripts/test.sh

bench:
	bench/run.sh

# The sim platform's property programs over more seeds than make test
# gives them: make sim-test SEEDS=100000 [FIRST=S].
SEEDS ?= 10000
FIRST ?= 1
sim-test:
	$(MAKE) PLATFORM=sim all
	scripts/sim_test.sh $(SEEDS) $(FIRST)

clean:
	rm -rf build

# The README's first command: build, then run the device demo
# (scripts/demo.sh: a unikernel serving ping in a network namespace while
# other tasks sleep and do block I/O; unprivileged parts when not root).
.PHONY: demo
demo: examples
	@scripts/deps.sh demo
	@scripts/demo.sh
