# mk/solo5-bench.mk - the benchmarks as Solo5 unikernels (included by
# mk/solo5.mk, after its rules, when PLATFORM=solo5):
#
#   make PLATFORM=solo5 benches    build/spt/bench/NAME.spt and
#                                  build/hvt/bench/NAME.hvt
#
# for the benchmarks that mean something inside a unikernel: the
# scheduler's (switch, spawn, children, mutex, sleepers), the block
# device's, and the cost of the Solo5 calls under them (platform). Left out: bench_memcpy and bench_heap, which measure against
# glibc in the same process, and the ping baseline (a Linux program);
# examples/ping.spt, which bench/run.sh times under solo5-spt, is built by
# mk/solo5.mk itself. Without their baselines (bench/baselines.h compiles
# them out under MIOU_PLATFORM_SOLO5) the benchmarks report the library's
# figures only; bench/run.sh (part "spt") runs them beside the hosted
# ones.
#
# Nothing new to build them: mk/solo5.mk's pattern rules compile
# bench/NAME.c into $(BUILD)/obj/bench/NAME.o, make its manifest
# (bench/NAME.manifest.json, else none), link $(BUILD)/unikernels/bench/
# NAME.o with the examples' support code (support_of) and the libraries,
# and that into the .spt and .hvt. Their lists of undefined symbols join
# the `undefined` target, so that scripts/check_solo5.sh checks them with
# the others.

SOLO5_BENCH_PROGRAMS := $(addprefix bench/,bench_switch bench_spawn \
    bench_children bench_mutex bench_sleepers bench_block bench_platform)

SOLO5_BENCHES := $(foreach abi,$(SOLO5_ABIS),$(addprefix build/$(abi)/,\
    $(addsuffix .$(abi),$(SOLO5_BENCH_PROGRAMS))))

.PHONY: benches
benches: $(SOLO5_BENCHES)

undefined: $(addprefix $(BUILD)/unikernels/,\
    $(addsuffix .undefined,$(SOLO5_BENCH_PROGRAMS)))
