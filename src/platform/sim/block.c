/*
 * block.c - in-memory disks with seeded faults. Each call takes a seeded
 * latency of virtual time, as a disk would (frames and peers move on
 * meanwhile); a call may fail with SOLO5_R_EUNSPEC at the chosen rate,
 * moving nothing; and at the chosen write the disk loses power: that
 * write and every later call fail, and the disk keeps exactly the writes
 * that completed before.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

int sim_disk_load(const char *prog, struct sim_device *d)
{
    struct sim_disk *k = &d->disk;
    uint64_t size = 0;
    FILE *f = NULL;
    if (sim_parse_size(d->attach, &size) != 0) {
        /* Not a size: a file whose bytes the disk starts with. */
        f = fopen(d->attach, "rb");
        if (!f || fseek(f, 0, SEEK_END) != 0) {
            tender_error(prog, "device '%s': " TENDER_BLOCK_OPEN " '%s': %s",
                         d->name, d->attach, strerror(errno));
            if (f)
                fclose(f);
            return 1;
        }
        long end = ftell(f);
        size = end < 0 ? 0 : (uint64_t)end;
        rewind(f);
    }
    /* The words of Solo5's tenders (tender.h), and the size. */
    if (size == 0 || size % k->sector_size != 0) {
        tender_error(prog, "device '%s': %s (%llu bytes)%s: %llu bytes",
                     d->name,
                     size == 0 ? TENDER_BLOCK_EMPTY : TENDER_BLOCK_UNALIGNED,
                     (unsigned long long)k->sector_size,
                     size == 0 ? " in size" : "", (unsigned long long)size);
        if (f)
            fclose(f);
        return 1;
    }
    k->data = calloc(1, size);
    k->initial = calloc(1, size);
    if (!k->data || !k->initial) {
        fprintf(stderr, "%s: device '%s': no host memory for %llu bytes\n",
                prog, d->name, (unsigned long long)size);
        if (f)
            fclose(f);
        return 1;
    }
    if (f) {
        size_t n = fread(k->initial, 1, size, f);
        fclose(f);
        if (n != size) {
            tender_error(prog, "device '%s': short read of '%s'", d->name,
                         d->attach);
            return 1;
        }
    }
    k->capacity = size;
    sim_disk_reset(k);
    return 0;
}

void sim_disk_reset(struct sim_disk *k)
{
    if (k->data)
        memcpy(k->data, k->initial, k->capacity);
    k->writes = k->completed = 0;
    k->crashed = 0;
}

solo5_result_t solo5_block_acquire(const char *name, solo5_handle_t *handle,
                                   struct solo5_block_info *info)
{
    struct sim_device *d = name ? sim_device_find(name) : NULL;
    if (!d || d->type != SIM_BLOCK || d->acquired || !handle || !info)
        return SOLO5_R_EINVAL;
    d->acquired = 1;
    *handle = (solo5_handle_t)(d - sim_devices);
    info->capacity = d->disk.capacity;
    info->block_size = d->disk.sector_size;
    return SOLO5_R_OK;
}

/* The disk of (handle) when one aligned block inside it is asked for. */
static struct sim_disk *checked(solo5_handle_t handle, solo5_off_t offset,
                                const void *buf, size_t size)
{
    struct sim_device *d = sim_device_of(handle, SIM_BLOCK);
    if (!d || !buf)
        return NULL;
    struct sim_disk *k = &d->disk;
    if (size != k->sector_size || (offset & (k->sector_size - 1)) != 0 ||
        offset > k->capacity - size)
        return NULL;
    return k;
}

/* The part every call shares: its latency, then its fate. */
static solo5_result_t fate(struct sim_disk *k, int write)
{
    sim_clock_advance_to(sim_now + sim_between(k->faults.latency_min_ns,
                                               k->faults.latency_max_ns));
    if (k->crashed)
        return SOLO5_R_EUNSPEC;
    if (write && (uint64_t)++k->writes == k->faults.crash_at_write) {
        k->crashed = 1;
        sim_trace(EV_CRASH, (uint64_t)k->writes, 0, 0, NULL, 0);
        return SOLO5_R_EUNSPEC;
    }
    if (sim_chance(k->faults.error_ppm))
        return SOLO5_R_EUNSPEC;
    return SOLO5_R_OK;
}

solo5_result_t solo5_block_write(solo5_handle_t handle, solo5_off_t offset,
                                 const uint8_t *buf, size_t size)
{
    struct sim_disk *k = checked(handle, offset, buf, size);
    if (!k)
        return SOLO5_R_EINVAL;
    solo5_result_t rc = fate(k, 1);
    if (rc == SOLO5_R_OK) {
        memcpy(k->data + offset, buf, size);
        k->completed++;
    }
    sim_trace(EV_BLOCK_WRITE, handle, offset, rc, buf, size);
    return rc;
}

solo5_result_t solo5_block_read(solo5_handle_t handle, solo5_off_t offset,
                                uint8_t *buf, size_t size)
{
    struct sim_disk *k = checked(handle, offset, buf, size);
    if (!k)
        return SOLO5_R_EINVAL;
    solo5_result_t rc = fate(k, 0);
    if (rc == SOLO5_R_OK)
        memcpy(buf, k->data + offset, size);
    sim_trace(EV_BLOCK_READ, handle, offset, rc, rc == SOLO5_R_OK ? buf : NULL,
              size);
    return rc;
}

int miou_sim_block_faults(const char *name,
                          const struct miou_sim_block_faults *f)
{
    struct sim_device *d = name ? sim_device_find(name) : NULL;
    if (!d || d->type != SIM_BLOCK || !f ||
        f->latency_min_ns > f->latency_max_ns || f->error_ppm > 1000000)
        return -1;
    d->disk.faults = *f;
    return 0;
}

int miou_sim_block_image(const char *name, const uint8_t **data, uint64_t *size)
{
    struct sim_device *d = name ? sim_device_find(name) : NULL;
    if (!d || d->type != SIM_BLOCK || !data || !size)
        return -1;
    *data = d->disk.data;
    *size = d->disk.capacity;
    return 0;
}

int64_t miou_sim_block_writes(const char *name)
{
    struct sim_device *d = name ? sim_device_find(name) : NULL;
    if (!d || d->type != SIM_BLOCK)
        return -1;
    return d->disk.completed;
}

int miou_sim_block_crashed(const char *name)
{
    struct sim_device *d = name ? sim_device_find(name) : NULL;
    if (!d || d->type != SIM_BLOCK)
        return -1;
    return d->disk.crashed;
}
