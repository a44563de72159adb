# mk/libc.mk - the freestanding C library of the Solo5 target (src/libc/)
# and its hosted test build. Included by the Makefile, after its own
# variables (CC, BUILD, ALL_CFLAGS, LIB, PLAT_LIB, TEST_SUPPORT, LINK).
#
# For the Solo5 build (rules in mk/solo5.mk):
#   LIBC_SRC       the library's sources, compiled by Solo5's toolchain
#                  wrapper (it adds -nostdinc -ffreestanding and gcc's own
#                  headers) with LIBC_CFLAGS;
#   LIBC_INCLUDE   the library's headers: every file compiled for Solo5
#                  needs it to find <string.h>, <stdio.h>, ...;
#   LIBC_CFLAGS    LIBC_INCLUDE and what the library's own files need:
#                  -fno-builtin, so that gcc neither turns malloc+memset
#                  into a call to calloc (inside calloc) nor treats the
#                  library's functions as its builtins, and, where the
#                  compiler has it (gcc), -fno-tree-loop-distribute-patterns,
#                  so that gcc does not turn the copy loops of memcpy and
#                  memset into calls to memcpy and memset, i.e. into
#                  infinite recursion (src/libc/mem.c also says so to gcc
#                  with an attribute, for builds that forget the flag).
#
# For the hosted tests: a copy of the library whose exported names are
# renamed to miou_libc_<name> (src/libc/test_prefix.h), so that it links
# beside glibc in a Linux program:
#   LIBC_TEST_OBJ  $(BUILD)/obj/libc-test/*.o, compiled freestanding
#                  (-nostdinc, the compiler's own headers only) as on
#                  Solo5, with the project's warnings and sanitizers;
#   $(BUILD)/tests/test_libc, $(BUILD)/bench/bench_memcpy: linked with
#                  LIBC_TEST_OBJ. tests/test_libc.c is compiled with
#                  -DMIOU_LIBC_TEST_PREFIX, so that it calls the renamed
#                  functions.
# After each build of LIBC_TEST_OBJ, a check that every symbol they define
# is renamed (a name missing from test_prefix.h would replace glibc's in
# the test program; ASan's __odr_asan.* markers aside) and that they call
# no unrenamed mem* function (the tests would then test glibc's).

LIBC_SRC := $(wildcard src/libc/*.c)
LIBC_INCLUDE := -Isrc/libc/include
LIBC_NO_LOOP_CALLS := $(shell $(CC) -Werror -fno-tree-loop-distribute-patterns \
    -x c -c /dev/null -o /dev/null 2>/dev/null && \
    echo -fno-tree-loop-distribute-patterns)
LIBC_CFLAGS := $(LIBC_INCLUDE) -fno-builtin $(LIBC_NO_LOOP_CALLS)

# The renamed copy is for Linux programs: the hosted and sim builds.
ifneq ($(filter hosted sim,$(PLATFORM)),)

LIBC_TEST_OBJ := $(patsubst src/libc/%.c,$(BUILD)/obj/libc-test/%.o,$(LIBC_SRC))
LIBC_TEST_CFLAGS := -ffreestanding -nostdinc \
    -isystem $(shell $(CC) -print-file-name=include) $(LIBC_CFLAGS) \
    -Iinclude -include src/libc/test_prefix.h
LIBC_NM := $(if $(ARCH_PREFIX),$(ARCH_PREFIX)nm,nm)

# LIBC_TEST_CFLAGS first: its -I must come before the project's.
$(BUILD)/obj/libc-test/%.o: src/libc/%.c $(wildcard src/libc/*.h src/libc/include/*.h) include/solo5.h include/miou_heap.h
	@mkdir -p $(dir $@)
	$(CC) $(LIBC_TEST_CFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj/libc-test/symbols.ok: $(LIBC_TEST_OBJ)
	@$(LIBC_NM) -g --defined-only $^ | \
	    awk 'NF == 3 && $$3 !~ /^(miou_libc_|miou__libc_|__odr_asan)/ { \
	        print "src/libc: " $$3 " is not renamed by src/libc/test_prefix.h"; bad = 1 } \
	        END { exit bad }'
	@$(LIBC_NM) -u $^ | \
	    awk '$$2 ~ /^(memcpy|memmove|memset|memcmp)$$/ { \
	        print "src/libc: the renamed library calls glibc'"'"'s " $$2; bad = 1 } \
	        END { exit bad }'
	@touch $@

$(BUILD)/obj/tests/test_libc.o: ALL_CFLAGS += -DMIOU_LIBC_TEST_PREFIX

$(BUILD)/tests/test_libc: $(BUILD)/obj/tests/test_libc.o $(LIBC_TEST_OBJ) $(BUILD)/obj/libc-test/symbols.ok $(TEST_SUPPORT) $(PLAT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(LINK)

$(BUILD)/bench/bench_memcpy: $(BUILD)/obj/bench/bench_memcpy.o $(LIBC_TEST_OBJ) $(BUILD)/obj/libc-test/symbols.ok $(PLAT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(LINK)

# bench/run.sh links each benchmark itself: bench_memcpy needs these
# objects on its link line (its reference to them is weak: without them
# it measures glibc only).
benches: $(LIBC_TEST_OBJ) $(BUILD)/obj/libc-test/symbols.ok

endif
