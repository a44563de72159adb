/*
 * block.c - block devices of the hosted platform: a disk image (or a host
 * block device) read and written one sector at a time, as Solo5 does.
 *
 * Writes are not flushed (no fsync): like a Solo5 tender, the host's page
 * cache keeps them, and they are on the disk once the host writes it back.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hosted.h"

/* The size of the open image (fd), or -1 after printing what is wrong. */
static off_t image_size(const char *prog, const struct hosted_device *d, int fd)
{
    struct stat st;
    off_t size;

    if (fstat(fd, &st) != 0) {
        hosted_device_error(prog, d, "cannot query '%s': %s", d->attach,
                            strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        hosted_device_error(
            prog, d, "'%s' is not a regular file or a block device", d->attach);
        return -1;
    }
    /* The end of a block device is where st_size cannot tell. */
    size = lseek(fd, 0, SEEK_END);
    if (size < 0) {
        hosted_device_error(prog, d, "cannot find the size of '%s': %s",
                            d->attach, strerror(errno));
        return -1;
    }
    return size;
}

int hosted_block_attach(const char *prog, struct hosted_device *d)
{
    int fd = open(d->attach, O_RDWR | O_CLOEXEC);
    off_t size;

    /* The messages hold Solo5's tenders' words (tender.h), and ours. */
    if (fd < 0) {
        hosted_device_error(prog, d,
                            TENDER_BLOCK_OPEN " '%s' for reading and "
                                              "writing: %s",
                            d->attach, strerror(errno));
        return 1;
    }
    d->fd = fd;
    size = image_size(prog, d, fd);
    if (size < 0)
        return 1;
    /* A partial last sector could never be read or written: refuse the
     * image rather than hide its end. */
    if ((uint64_t)size % d->sector_size != 0) {
        hosted_device_error(prog, d,
                            TENDER_BLOCK_UNALIGNED " (%llu bytes): '%s' "
                                                   "has %lld bytes",
                            (unsigned long long)d->sector_size, d->attach,
                            (long long)size);
        return 1;
    }
    if (size == 0) {
        hosted_device_error(prog, d,
                            TENDER_BLOCK_EMPTY " (%llu bytes) in size: "
                                               "'%s' is empty",
                            (unsigned long long)d->sector_size, d->attach);
        return 1;
    }
    d->capacity = (uint64_t)size;
    return 0;
}

solo5_result_t solo5_block_acquire(const char *name, solo5_handle_t *handle,
                                   struct solo5_block_info *info)
{
    struct hosted_device *d = name ? hosted_device_find(name) : NULL;

    if (d == NULL || d->type != HOSTED_BLOCK || d->fd < 0 || handle == NULL ||
        info == NULL)
        return SOLO5_R_EINVAL;
    /* As on Solo5, a device is acquired once. */
    if (__atomic_exchange_n(&d->acquired, 1, __ATOMIC_ACQ_REL))
        return SOLO5_R_EINVAL;
    *handle = (solo5_handle_t)(d - hosted_devices);
    info->capacity = d->capacity;
    info->block_size = d->sector_size;
    return SOLO5_R_OK;
}

/* The device of (handle) when a transfer of (size) bytes at (offset) from
 * or to (buf) is allowed: exactly one block, aligned, inside the device. */
static struct hosted_device *checked(solo5_handle_t handle, solo5_off_t offset,
                                     const void *buf, size_t size)
{
    struct hosted_device *d = hosted_device_of(handle, HOSTED_BLOCK);

    /* Sector sizes are powers of two (devopts.c): a mask, not a
     * division, on the path of every block. */
    if (d == NULL || buf == NULL || size != d->sector_size ||
        (offset & (d->sector_size - 1)) != 0 || offset > d->capacity - size)
        return NULL;
    return d;
}

solo5_result_t solo5_block_write(solo5_handle_t handle, solo5_off_t offset,
                                 const uint8_t *buf, size_t size)
{
    struct hosted_device *d = checked(handle, offset, buf, size);
    ssize_t n;

    if (d == NULL)
        return SOLO5_R_EINVAL;
    do
        n = pwrite(d->fd, buf, size, (off_t)offset);
    while (n < 0 && errno == EINTR);
    return n >= 0 && (size_t)n == size ? SOLO5_R_OK : SOLO5_R_EUNSPEC;
}

solo5_result_t solo5_block_read(solo5_handle_t handle, solo5_off_t offset,
                                uint8_t *buf, size_t size)
{
    struct hosted_device *d = checked(handle, offset, buf, size);
    ssize_t n;

    if (d == NULL)
        return SOLO5_R_EINVAL;
    do
        n = pread(d->fd, buf, size, (off_t)offset);
    while (n < 0 && errno == EINTR);
    return n >= 0 && (size_t)n == size ? SOLO5_R_OK : SOLO5_R_EUNSPEC;
}
