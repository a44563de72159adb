/*
 * devices.c - the table of the program's devices, filled from the
 * manifest the build linked into it (the same generated array the hosted
 * platform reads), and the life of the devices across a run: peers
 * opened at start-up, closed (with their verdicts) at exit, and both
 * peers and disks put back as they were at start-up by miou_sim_reset().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

extern const char *const miou_hosted_manifest[] __attribute__((weak));

struct sim_device sim_devices[SIM_MAX_DEVICES + 1];
size_t sim_ndevices;

struct sim_device *sim_device_find(const char *name)
{
    for (size_t h = 1; h <= sim_ndevices; h++)
        if (strcmp(sim_devices[h].name, name) == 0)
            return &sim_devices[h];
    return NULL;
}

struct sim_device *sim_device_of(solo5_handle_t handle, enum sim_dev_type type)
{
    if (handle == 0 || handle > sim_ndevices)
        return NULL;
    struct sim_device *d = &sim_devices[handle];
    return d->type == type && d->acquired ? d : NULL;
}

static int valid_name(const char *name)
{
    size_t len = strlen(name);
    return len > 0 && len <= SIM_NAME_MAX &&
           strspn(name, "abcdefghijklmnopqrstuvwxyz"
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == len;
}

int sim_manifest_load(const char *prog)
{
    sim_ndevices = 0;
    if (!miou_hosted_manifest)
        return 0;
    for (size_t i = 0; miou_hosted_manifest[i]; i++) {
        const char *e = miou_hosted_manifest[i], *name;
        enum sim_dev_type type;
        if (strncmp(e, "NET_BASIC ", 10) == 0) {
            type = SIM_NET;
            name = e + 10;
        } else if (strncmp(e, "BLOCK_BASIC ", 12) == 0) {
            type = SIM_BLOCK;
            name = e + 12;
        } else {
            fprintf(stderr, "%s: manifest entry %zu '%s': unknown type\n", prog,
                    i + 1, e);
            return 1;
        }
        if (!valid_name(name) || sim_device_find(name) ||
            sim_ndevices == SIM_MAX_DEVICES) {
            fprintf(stderr,
                    "%s: manifest entry %zu '%s': bad or repeated "
                    "name, or too many devices\n",
                    prog, i + 1, e);
            return 1;
        }
        struct sim_device *d = &sim_devices[++sim_ndevices];
        memset(d, 0, sizeof(*d));
        strcpy(d->name, name);
        d->type = type;
        d->disk.sector_size = 512;
        d->disk.faults.latency_min_ns = SIM_DISK_LATENCY_NS;
        d->disk.faults.latency_max_ns = SIM_DISK_LATENCY_NS;
        d->link.mtu = SIM_MTU;
        /* A locally administered unicast address, one per device. */
        static const uint8_t base[SOLO5_NET_ALEN] = {0x02, 0x53, 0x49,
                                                     0x4d, 0x00, 0x00};
        memcpy(d->link.mac, base, SOLO5_NET_ALEN);
        d->link.mac[5] = (uint8_t)sim_ndevices;
        d->link.wakeup_at = UINT64_MAX;
    }
    return 0;
}

int sim_devices_start(const char *prog)
{
    for (size_t h = 1; h <= sim_ndevices; h++) {
        struct sim_device *d = &sim_devices[h];
        if (!d->attach) {
            fprintf(stderr,
                    "%s: device '%s' of the manifest is not "
                    "attached: use --%s:%s=%s\n",
                    prog, d->name, d->type == SIM_NET ? "net" : "block",
                    d->name,
                    d->type == SIM_NET ? "PEER (pinger, responder, echo, "
                                         "silent, ...)"
                                       : "SIZE or FILE");
            return 1;
        }
        if (d->type == SIM_BLOCK ? sim_disk_load(prog, d)
                                 : sim_link_open_peer(prog, d))
            return 1;
    }
    return 0;
}

int sim_devices_stop(void)
{
    int verdict = 0;
    for (size_t h = 1; h <= sim_ndevices; h++)
        if (sim_devices[h].type == SIM_NET &&
            sim_link_close_peer(&sim_devices[h]) != 0)
            verdict = -1;
    return verdict;
}

void sim_devices_reset(void)
{
    for (size_t h = 1; h <= sim_ndevices; h++) {
        struct sim_device *d = &sim_devices[h];
        if (d->type == SIM_BLOCK) {
            sim_disk_reset(&d->disk);
            continue;
        }
        sim_link_close_peer(d);
        sim_link_clear(&d->link);
        if (d->link.peer && sim_link_open_peer(sim_prog, d) != 0)
            sim_exit(2, "a peer could not start again");
    }
}

void sim_devices_release(void)
{
    sim_events_clear();
    for (size_t h = 1; h <= sim_ndevices; h++) {
        struct sim_device *d = &sim_devices[h];
        sim_link_clear(&d->link);
        free(d->link.peer_arg);
        free(d->disk.data);
        free(d->disk.initial);
        memset(d, 0, sizeof(*d));
    }
    sim_ndevices = 0;
}

int miou_sim_net_peer(const char *name, const struct miou_sim_peer *peer,
                      const char *arg)
{
    struct sim_device *d = name ? sim_device_find(name) : NULL;
    char *copy = arg ? strdup(arg) : NULL;
    if (!d || d->type != SIM_NET || !peer || (arg && !copy)) {
        free(copy);
        return -1;
    }
    sim_link_close_peer(d);
    sim_events_clear(); /* nothing may reach the old peer */
    sim_link_clear(&d->link);
    free(d->link.peer_arg);
    d->link.peer = peer;
    d->link.peer_arg = copy;
    return sim_link_open_peer(sim_prog, d) ? -1 : 0;
}

void miou_sim_reset(uint64_t seed)
{
    sim_events_clear();
    sim_clock_reset();
    sim_trace_reset();
    sim_random_seed(seed);
    sim_devices_reset();
}
