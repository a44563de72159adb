/*
 * test_solo5.c - the Solo5 interface itself, on every platform: the
 * header's names, values, types and layouts are Solo5's (under Solo5 this
 * program is compiled against Solo5's own solo5.h, so the same cases
 * passing everywhere say that include/solo5.h states the same ABI), and
 * the TLS calls answer as Solo5 documents them.
 */
#include <stddef.h>
#include <string.h>

#include <solo5.h>

#include "lib/check.h"

/* A value the TLS segment's .tdata starts with, and a .tbss variable. */
#define TLS_PATTERN UINT64_C(0x6d696f752d746c73) /* "miou-tls" */
static __thread volatile uint64_t tls_data = TLS_PATTERN;
static __thread volatile uint64_t tls_bss;

/* Two TLS blocks, zeroed as Solo5 asks (calloc in its example). */
#define TLS_BLOCK 8192 /* Solo5 pads .tdata and .tbss to pages */
static _Alignas(64) unsigned char tls_blocks[2][TLS_BLOCK];

static void values_are_solo5s(void)
{
    /* bool comes with solo5.h, as with Solo5's. */
    bool yes = true;

    CHECK(yes);
    CHECK_EQ(SOLO5_R_OK, 0);
    CHECK_EQ(SOLO5_R_AGAIN, 1);
    CHECK_EQ(SOLO5_R_EINVAL, 2);
    CHECK_EQ(SOLO5_R_EUNSPEC, 3);
    CHECK_EQ(SOLO5_EXIT_SUCCESS, 0);
    CHECK_EQ(SOLO5_EXIT_FAILURE, 1);
    CHECK_EQ(SOLO5_EXIT_ABORT, 255);
    CHECK_EQ(SOLO5_NET_ALEN, 6);
    CHECK_EQ(SOLO5_NET_HLEN, 14);
}

static void types_have_solo5s_layout(void)
{
    CHECK_UEQ(sizeof(solo5_result_t), sizeof(int));
    CHECK_UEQ(sizeof(solo5_time_t), 8);
    CHECK_UEQ(sizeof(solo5_handle_t), 8);
    CHECK_UEQ(sizeof(solo5_handle_set_t), 8);
    CHECK_UEQ(sizeof(solo5_off_t), 8);
    CHECK_UEQ(offsetof(struct solo5_start_info, cmdline), 0);
    CHECK_UEQ(offsetof(struct solo5_start_info, heap_start), sizeof(void *));
    CHECK_UEQ(offsetof(struct solo5_start_info, heap_size), 2 * sizeof(void *));
    CHECK_UEQ(offsetof(struct solo5_net_info, mac_address), 0);
    CHECK_UEQ(offsetof(struct solo5_net_info, mtu), sizeof(size_t));
    CHECK_UEQ(sizeof(struct solo5_net_info), 2 * sizeof(size_t));
    CHECK_UEQ(offsetof(struct solo5_block_info, capacity), 0);
    CHECK_UEQ(offsetof(struct solo5_block_info, block_size), 8);
    CHECK_UEQ(sizeof(struct solo5_block_info), 16);
}

/* The thread control block that solo5_tls_size() counts. */
#if defined(__aarch64__)
#define TCB_SIZE (2 * sizeof(void *))
#else
#define TCB_SIZE sizeof(void *)
#endif

/* Whether the (size) bytes at (p) hold TLS_PATTERN, at any offset. */
static int holds_pattern(const unsigned char *p, size_t size)
{
    uint64_t want = TLS_PATTERN;

    for (size_t i = 0; i + sizeof want <= size; i++)
        if (memcmp(p + i, &want, sizeof want) == 0)
            return 1;
    return 0;
}

static void tls_block_is_laid_out(void)
{
    uintptr_t block = (uintptr_t)tls_blocks[0], tp;
    size_t size = solo5_tls_size();

    /* This program's two variables, at least, and the control block. */
    CHECK_UGE(size, 2 * sizeof(uint64_t) + TCB_SIZE);
    if (!CHECK_ULE(size, TLS_BLOCK))
        return;
    CHECK_RC(solo5_tls_init(block), SOLO5_R_OK);
    tp = solo5_tls_tp_offset(block);
    /* The thread pointer is inside the block and points at itself (its
     * first word, on both variants). */
    CHECK_UGE(tp, block);
    CHECK_ULE(tp + sizeof(uintptr_t), block + size);
    CHECK_UEQ(*(const uintptr_t *)tp, tp);
#if defined(__x86_64__)
    CHECK_UEQ(tp, block + size - TCB_SIZE); /* variant II: data first */
#else
    CHECK_UEQ(tp, block); /* variant I: control block first */
#endif
    CHECK(holds_pattern(tls_blocks[0], size));
}

static void tls_init_refuses_null(void)
{
    CHECK_RC(solo5_tls_init(0), SOLO5_R_EINVAL);
}

/* Under Solo5 the base moves: each block has its own variables. On the
 * platforms that are Linux processes the host's C library owns it: the
 * call answers SOLO5_R_EUNSPEC and the variables stay where they were. */
static void tls_base_moves_where_it_can(void)
{
    uintptr_t a = (uintptr_t)tls_blocks[0], b = (uintptr_t)tls_blocks[1];

    if (!CHECK_ULE(solo5_tls_size(), TLS_BLOCK))
        return;
    memset(tls_blocks, 0, sizeof tls_blocks);
    CHECK_RC(solo5_tls_init(a), SOLO5_R_OK);
    CHECK_RC(solo5_tls_init(b), SOLO5_R_OK);
#if defined(MIOU_PLATFORM_SOLO5)
    /* Solo5 starts with a base of 0: no __thread variable may be read
     * before this. */
    CHECK_RC(solo5_set_tls_base(solo5_tls_tp_offset(a)), SOLO5_R_OK);
    CHECK_UEQ(tls_data, TLS_PATTERN);
    CHECK_UEQ(tls_bss, 0);
    tls_bss = 1;
    CHECK_RC(solo5_set_tls_base(solo5_tls_tp_offset(b)), SOLO5_R_OK);
    CHECK_UEQ(tls_bss, 0);
    tls_bss = 2;
    CHECK_RC(solo5_set_tls_base(solo5_tls_tp_offset(a)), SOLO5_R_OK);
    CHECK_UEQ(tls_bss, 1);
#else
    tls_bss = 1;
    CHECK_RC(solo5_set_tls_base(solo5_tls_tp_offset(b)), SOLO5_R_EUNSPEC);
    CHECK_UEQ(tls_data, TLS_PATTERN);
    CHECK_UEQ(tls_bss, 1);
#endif
}

int solo5_app_main(const struct solo5_start_info *si)
{
    static const struct check_case cases[] = {
        {"the header's values are Solo5's", values_are_solo5s},
        {"the header's types have Solo5's sizes and layouts",
         types_have_solo5s_layout},
        {"a TLS block holds the program's .tdata and a thread pointer",
         tls_block_is_laid_out},
        {"solo5_tls_init refuses a NULL block", tls_init_refuses_null},
        {"the TLS base moves where the platform can set it, else "
         "SOLO5_R_EUNSPEC",
         tls_base_moves_where_it_can},
    };
    return check_main("solo5", si, cases, CHECK_COUNT(cases));
}
