/*
 * block.c - block devices: atomic operations, done at once by the caller,
 * and scheduled ones, queued and done by the loop when it has nothing
 * better to do.
 *
 * Solo5 moves exactly one block per call; both kinds accept any multiple
 * of the block size and split it. A scheduled operation lives on its
 * caller's stack (the caller is suspended until it is done), linked from
 * the task, which waits in the scheduler's block queue: cancelling it is
 * leaving that queue, O(1), like any other wait.
 */
#include "internal.h"

/* A scheduled operation: what is left of it. */
struct block_request {
    struct miou_block *block;
    uint64_t offset;
    uint8_t *buf;
    size_t left;
    int write;
};

int miou_block_acquire(const char *name, miou_block **block,
                       struct miou_block_info *info)
{
    struct miou__sched *s = &miou__the_sched;
    if (!s->active || !s->current)
        return MIOU_ENOTRUNNING;
    if (!name || !block)
        return MIOU_EINVAL;
    int err = 0;
    struct miou__device *d = miou__device_acquire(s, name, DEVICE_BLOCK, &err);
    if (!d)
        return err;
    struct miou_block *b = (struct miou_block *)d;
    *block = b;
    if (info)
        *info = b->info;
    return 0;
}

/* 0 when (size) bytes at (offset) of (b) may be moved by the calling task,
 * else the error to return. Nothing has happened yet when this fails.
 * The block size is a power of two (device.c refuses any other), so
 * alignment is a mask: three 64-bit divisions cost more than the rest of
 * the call. */
static int block_check(const struct miou__sched *s, const miou_block *b,
                       uint64_t offset, const void *buf, size_t size)
{
    if (!s->active || !s->current)
        return MIOU_ENOTRUNNING;
    if (!b || !buf || b->dev.run != s->run_id)
        return MIOU_EINVAL;
    uint64_t mask = b->info.block_size - 1;
    if (size == 0 || ((offset | size) & mask) != 0)
        return MIOU_EALIGN;
    if (offset > b->info.capacity || size > b->info.capacity - offset)
        return MIOU_ERANGE;
    return 0;
}

/* Move one block; 0 or MIOU_EIO. */
static int block_move(const struct miou_block *b, uint64_t offset, uint8_t *buf,
                      int write)
{
    size_t bs = (size_t)b->info.block_size;
    solo5_result_t rc = write
                            ? solo5_block_write(b->dev.handle, offset, buf, bs)
                            : solo5_block_read(b->dev.handle, offset, buf, bs);
    return rc == SOLO5_R_OK ? 0 : MIOU_EIO;
}

static int atomic_op(miou_block *b, uint64_t offset, uint8_t *buf, size_t size,
                     int write)
{
    int err = block_check(&miou__the_sched, b, offset, buf, size);
    if (err)
        return err;
    size_t bs = (size_t)b->info.block_size;
    for (size_t done = 0; done < size; done += bs) {
        err = block_move(b, offset + done, buf + done, write);
        if (err)
            return err;
    }
    return 0;
}

int miou_block_atomic_read(miou_block *b, uint64_t offset, void *buf,
                           size_t size)
{
    return atomic_op(b, offset, buf, size, 0);
}

int miou_block_atomic_write(miou_block *b, uint64_t offset, const void *buf,
                            size_t size)
{
    /* The buffer is only read: block_move() passes it to a write. */
    return atomic_op(b, offset, (uint8_t *)(uintptr_t)buf, size, 1);
}

static int scheduled_op(miou_block *b, uint64_t offset, uint8_t *buf,
                        size_t size, int write)
{
    struct miou__sched *s = &miou__the_sched;
    int err = block_check(s, b, offset, buf, size);
    if (err)
        return err;
    if (s->current->cancelled)
        return MIOU_ECANCELED;
    struct block_request r = {b, offset, buf, size, write};
    return miou__wait(WAIT_BLOCK, &s->blockq, &r);
}

int miou_block_read(miou_block *b, uint64_t offset, void *buf, size_t size)
{
    return scheduled_op(b, offset, buf, size, 0);
}

int miou_block_write(miou_block *b, uint64_t offset, const void *buf,
                     size_t size)
{
    return scheduled_op(b, offset, (uint8_t *)(uintptr_t)buf, size, 1);
}

const char *miou__block_request_device(const void *request)
{
    return ((const struct block_request *)request)->block->dev.name;
}

void miou__block_step(struct miou__sched *s)
{
    struct miou__task *t = s->blockq.head;
    struct block_request *r = (struct block_request *)(uintptr_t)t->wait_on;
    size_t bs = (size_t)r->block->info.block_size;
    int err = block_move(r->block, r->offset, r->buf, r->write);
    r->offset += bs;
    r->buf += bs;
    r->left -= bs;
    if (err || r->left == 0)
        miou__wake(t, err);
}
