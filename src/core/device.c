/*
 * device.c - acquiring devices by name, and the table of acquired devices.
 *
 * Solo5 acquires a device once per program and never releases it, while a
 * program may call miou_run() several times (tests do). So the table of
 * devices outlives runs: a device acquired by an earlier run of this thread
 * is handed to a later run without asking Solo5 again, and each entry
 * records which run holds it, so that a handle kept from an earlier run is
 * recognised and refused.
 */
#include <string.h>

#include "internal.h"

/* Entries are reached by Solo5 handle. net and block begin with the common
 * part, which is all that is read when the type is not yet known. */
union device_entry {
    struct miou__device dev;
    struct miou_net net;
    struct miou_block block;
};

static union device_entry devices[MIOU__DEVICES];

static union device_entry *find_by_name(const char *name)
{
    for (size_t i = 0; i < MIOU__DEVICES; i++)
        if (devices[i].dev.type != DEVICE_NONE &&
            strcmp(devices[i].dev.name, name) == 0)
            return &devices[i];
    return NULL;
}

/* Ask Solo5 for the device and record it in (*out); a MIOU_E* code on
 * failure. */
static int first_acquire(const char *name, enum device_type type,
                         union device_entry **out)
{
    solo5_handle_t h;
    solo5_result_t rc;
    struct solo5_net_info ni = {{0}, 0};
    struct solo5_block_info bi = {0, 0};

    if (type == DEVICE_NET)
        rc = solo5_net_acquire(name, &h, &ni);
    else
        rc = solo5_block_acquire(name, &h, &bi);
    if (rc == SOLO5_R_EINVAL)
        return MIOU_ENODEV;
    if (rc != SOLO5_R_OK)
        return MIOU_EIO;
    /* A handle beyond the ready set's 64 bits could never be woken; block
     * sizes are powers of two on Solo5, and block.c relies on it. */
    if (h >= MIOU__DEVICES || devices[h].dev.type != DEVICE_NONE ||
        (type == DEVICE_BLOCK &&
         (bi.block_size == 0 || (bi.block_size & (bi.block_size - 1)) != 0)))
        return MIOU_EIO;

    union device_entry *e = &devices[h];
    memset(e, 0, sizeof(*e));
    strcpy(e->dev.name, name); /* its length was checked by the caller */
    e->dev.type = (uint8_t)type;
    e->dev.handle = h;
    if (type == DEVICE_NET) {
        memcpy(e->net.info.mac, ni.mac_address, sizeof(e->net.info.mac));
        e->net.info.mtu = ni.mtu;
    } else {
        e->block.info.capacity = bi.capacity;
        e->block.info.block_size = bi.block_size;
    }
    *out = e;
    return 0;
}

struct miou__device *miou__device_acquire(struct miou__sched *s,
                                          const char *name,
                                          enum device_type type, int *err)
{
    /* No device of a manifest has a longer name. */
    if (strlen(name) >= MIOU__DEVICE_NAME) {
        *err = MIOU_ENODEV;
        return NULL;
    }
    union device_entry *e = find_by_name(name);
    if (e && e->dev.type != type) {
        *err = MIOU_ENODEV;
        return NULL;
    }
    if (e && e->dev.run == s->run_id) {
        *err = MIOU_EBUSY;
        return NULL;
    }
    if (!e) {
        *err = first_acquire(name, type, &e);
        if (*err)
            return NULL;
    }
    if (type == DEVICE_NET)
        e->net.readers.head = e->net.readers.tail = NULL;
    e->dev.run = s->run_id;
    return &e->dev;
}

struct miou_net *miou__net_of(const struct miou__sched *s, uint64_t handle)
{
    if (handle >= MIOU__DEVICES)
        return NULL;
    union device_entry *e = &devices[handle];
    if (e->dev.type != DEVICE_NET || e->dev.run != s->run_id)
        return NULL;
    return &e->net;
}
