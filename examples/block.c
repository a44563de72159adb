/*
 * block - a unikernel that uses its block device "storage": both kinds of
 * I/O, at the device's own block size.
 *
 * It prints the capacity and block size, reads block 0 atomically and
 * block 1 with a scheduled read, prints an FNV-1a checksum of each, reads
 * both again in one two-block call, then writes a pattern over the last
 * block, reads it back (scheduled) and compares, and puts the block's old
 * contents back. It also checks that the device refuses an unaligned
 * offset and a read past its end. It prints "block: ok" and exits 0, or
 * names the step that failed and exits 1.
 *
 *   truncate -s 1M disk.img
 *   build/hosted/examples/block --block:storage=disk.img
 *   build/hosted/examples/block --block:storage=disk.img \
 *       --block-sector-size:storage=4096
 *
 * Atomic calls move the data at once (nothing else runs); scheduled calls
 * suspend the task until the scheduler has nothing better to do.
 */
#include <string.h>

#include <miou.h>

#include "lib/args.h"
#include "lib/console.h"

/* The largest block size handled: buffers are static. */
#define BLOCK_MAX (64u * 1024u)

static uint8_t block0[BLOCK_MAX], block1[BLOCK_MAX], pair[2 * BLOCK_MAX];
static uint8_t saved[BLOCK_MAX], pattern[BLOCK_MAX], back[BLOCK_MAX];

static miou_block *dev;
static struct miou_block_info info;

/* FNV-1a, 64 bits, of (n) bytes at (p). */
static uint64_t fnv1a64(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static int check_device(void)
{
    if (info.block_size == 0 || info.block_size > BLOCK_MAX) {
        say("block: block size %llu is not one this example handles "
            "(1 to %u bytes)\n",
            (unsigned long long)info.block_size, BLOCK_MAX);
        return 1;
    }
    if (info.capacity / info.block_size < 2) {
        say("block: the device holds %llu bytes: at least 2 blocks are "
            "needed\n",
            (unsigned long long)info.capacity);
        return 1;
    }
    return 0;
}

/* Block 0 atomically, block 1 scheduled, then both in one call. */
static int read_first_blocks(void)
{
    size_t bs = (size_t)info.block_size;
    int err;

    err = miou_block_atomic_read(dev, 0, block0, bs);
    if (err != 0)
        return fail("atomic read of block 0", err);
    say("block: block 0 (atomic read): fnv1a64 %016llx\n",
        (unsigned long long)fnv1a64(block0, bs));
    err = miou_block_read(dev, bs, block1, bs);
    if (err != 0)
        return fail("scheduled read of block 1", err);
    say("block: block 1 (scheduled read): fnv1a64 %016llx\n",
        (unsigned long long)fnv1a64(block1, bs));
    err = miou_block_read(dev, 0, pair, 2 * bs);
    if (err != 0)
        return fail("scheduled read of blocks 0 and 1", err);
    if (memcmp(pair, block0, bs) != 0 || memcmp(pair + bs, block1, bs) != 0) {
        say("block: blocks 0 and 1 read in one call differ from the blocks "
            "read one by one\n");
        return 1;
    }
    say("block: blocks 0-1 (one scheduled read of %zu bytes): same data\n",
        2 * bs);
    return 0;
}

/* Write (data) at (offset), read it back (both scheduled), compare. */
static int write_and_check(uint64_t offset, const uint8_t *data,
                           const char *what)
{
    size_t bs = (size_t)info.block_size;
    int err;

    err = miou_block_write(dev, offset, data, bs);
    if (err != 0)
        return fail(what, err);
    memset(back, 0, bs);
    err = miou_block_read(dev, offset, back, bs);
    if (err != 0)
        return fail("reading back", err);
    if (memcmp(back, data, bs) != 0) {
        say("block: %s: the block read back differs from the one written "
            "(fnv1a64 %016llx, wrote %016llx)\n",
            what, (unsigned long long)fnv1a64(back, bs),
            (unsigned long long)fnv1a64(data, bs));
        return 1;
    }
    return 0;
}

/* Write a pattern over the last block, check it, put the old data back. */
static int write_last_block(void)
{
    size_t bs = (size_t)info.block_size, i;
    uint64_t last = info.capacity / bs - 1, seed = miou_clock_wall();
    int err;

    err = miou_block_atomic_read(dev, last * bs, saved, bs);
    if (err != 0)
        return fail("atomic read of the last block", err);
    for (i = 0; i < bs; i++)
        pattern[i] = (uint8_t)(seed >> (8 * (i % 8))) ^ (uint8_t)(i * 31);
    if (memcmp(pattern, saved, bs) == 0)
        pattern[0] ^= 0xff; /* the write must change something */
    if (write_and_check(last * bs, pattern, "scheduled write") != 0)
        return 1;
    say("block: block %llu (the last one): wrote a pattern (fnv1a64 "
        "%016llx) and read it back\n",
        (unsigned long long)last, (unsigned long long)fnv1a64(pattern, bs));
    if (write_and_check(last * bs, saved, "putting the old data back") != 0)
        return 1;
    say("block: block %llu: old data put back\n", (unsigned long long)last);
    return 0;
}

/* The device must refuse what its rules forbid, before moving anything. */
static int check_refusals(void)
{
    size_t bs = (size_t)info.block_size;
    int err;

    err = miou_block_atomic_read(dev, 1, back, bs);
    if (err != MIOU_EALIGN)
        return fail("an unaligned read was not refused as MIOU_EALIGN", err);
    err = miou_block_read(dev, info.capacity, back, bs);
    if (err != MIOU_ERANGE)
        return fail("a read past the end was not refused as MIOU_ERANGE", err);
    say("block: unaligned and out-of-range reads refused\n");
    return 0;
}

static void *block_main(void *arg)
{
    int *status = arg;
    int err;

    *status = 1;
    err = miou_block_acquire("storage", &dev, &info);
    if (err != 0) {
        fail("cannot acquire block device 'storage'", err);
        return NULL;
    }
    say("block: storage: %llu bytes, %llu blocks of %llu bytes\n",
        (unsigned long long)info.capacity,
        (unsigned long long)(info.block_size ? info.capacity / info.block_size
                                             : 0),
        (unsigned long long)info.block_size);
    if (check_device() != 0 || read_first_blocks() != 0 ||
        write_last_block() != 0 || check_refusals() != 0)
        return NULL;
    say("block: ok\n");
    *status = 0;
    return NULL;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    static const struct arg no_options[] = {{0}};
    return example_main(si, "block", no_options, block_main);
}
