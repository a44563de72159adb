/*
 * sim.h - what the files of the sim platform share.
 *
 * The sim platform is a Linux process in which nothing depends on the
 * host: one seeded stream (random.c) makes every choice, a virtual clock
 * (clock.c) moves only when the unikernel waits or a device call takes
 * time, and a queue of timed events (events.c) carries frames along the
 * links and wakes the peers. Every call the unikernel makes is recorded
 * in the trace (trace.c), whose digest is printed at exit. Nothing
 * outside src/platform/sim/ may include this header.
 */
#ifndef MIOU_SIM_INTERNAL_H
#define MIOU_SIM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <miou_sim.h>
#include <solo5.h>

#include "platform/linux/tender.h"

/* ---- The seeded stream (random.c) -------------------------------------- */

void sim_random_seed(uint64_t seed);
/* True with probability (ppm) per million. */
int sim_chance(uint32_t ppm);
/* Uniform in [lo, hi]. */
uint64_t sim_between(uint64_t lo, uint64_t hi);

/* ---- The virtual clock (clock.c) ---------------------------------------- */

/* Where the clocks start: monotonic at 0, as on a freshly booted virtual
 * machine (so that a program assuming otherwise fails here first), the
 * wall clock at 2026-01-01T00:00:00Z plus the monotonic time. */
#define SIM_WALL_START 1767225600000000000ull

extern uint64_t sim_now;
void sim_clock_reset(void);
/* Let time pass: to (t) when later than now. */
void sim_clock_advance_to(uint64_t t);

/* ---- The trace (trace.c) ----------------------------------------------- */

/* The kinds of events, fixed numbers: they are part of the digest. */
enum sim_event {
    EV_CLOCK_MONO = 1,
    EV_CLOCK_WALL,
    EV_YIELD,
    EV_NET_READ,
    EV_NET_WRITE,
    EV_BLOCK_READ,
    EV_BLOCK_WRITE,
    EV_CONSOLE,
    EV_CHOICE,
    EV_LINK_DROP,
    EV_LINK_DUP,
    EV_LINK_ARRIVE,
    EV_PEER_SEND,
    EV_PEER_RECEIVE,
    EV_PEER_WAKEUP,
    EV_ACQUIRE, /* not recorded: the core acquires a device in its first
                   run only, and a seed's digest must not depend on the
                   runs before it in the same process */
    EV_EXIT,
    EV_USER,
    EV_CRASH,
};

void sim_trace_reset(void);
/* Record an event of (kind) with up to four numbers and, when (data) is
 * not NULL, the digest of (len) bytes. */
void sim_trace(enum sim_event kind, uint64_t a, uint64_t b, uint64_t c,
               const void *data, size_t len);
/* Print every event as it is recorded (--trace). */
extern int sim_trace_print;

/* ---- Timed events (events.c) ------------------------------------------- */

struct sim_link;
struct sim_frame;

enum sim_timed {
    TIMED_TO_DEVICE, /* a frame reaches the unikernel's device */
    TIMED_TO_PEER,   /* a frame reaches the peer */
    TIMED_WAKEUP,    /* the peer's wakeup */
};

/* Schedule (frame) or a wakeup on (link) at (at); equal times keep the
 * order of scheduling. 0, or -1 when out of memory. */
int sim_events_add(uint64_t at, enum sim_timed what, struct sim_link *link,
                   struct sim_frame *frame);
/* The time of the earliest event, UINT64_MAX when there is none. */
uint64_t sim_events_next(void);
/* Carry out every event due at or before now. */
void sim_events_run_due(void);
/* At exit: the frames the unikernel sent are on the wire and reach their
 * peers (time moving on as they do); the rest is dropped. */
void sim_events_flush_to_peers(void);
/* Forget every event (at reset). */
void sim_events_clear(void);

/* ---- Devices (net.c, block.c, devices.c) -------------------------------- */

#define SIM_MAX_DEVICES 63
#define SIM_NAME_MAX 67
#define SIM_MTU 1500u
/* A disk's latency per block call when --block-faults gives none: a
 * fast SSD's, so that a program busy with its disk still sees time
 * pass. */
#define SIM_DISK_LATENCY_NS 10000u
/* The virtual time one solo5_yield() call takes, as a system call would:
 * a program that polls without waiting still sees time pass. */
#define SIM_YIELD_COST_NS 1000u
#define SIM_ETH_HEADER 14u

struct sim_frame {
    struct sim_frame *next;
    size_t len;
    uint64_t id; /* numbered as the link carries it, for the trace */
    uint8_t data[];
};

struct sim_link {
    struct miou_sim_link_faults faults;
    const struct miou_sim_peer *peer;
    char *peer_arg; /* what follows "PEER:", or NULL */
    void *peer_state;
    int peer_open;
    uint64_t wakeup_at;  /* UINT64_MAX: none asked */
    uint64_t wakeup_gen; /* bumped when a new wakeup replaces one */
    struct sim_frame *rx_head, *rx_tail; /* at the device, unread */
    struct miou_sim_link_counts counts;
    uint64_t frames; /* frames carried, for their ids */
    uint8_t mac[SOLO5_NET_ALEN];
    size_t mtu;
};

struct sim_disk {
    uint8_t *data;    /* the disk as it is */
    uint8_t *initial; /* its content at start-up, for resets */
    uint64_t capacity, sector_size;
    struct miou_sim_block_faults faults;
    int64_t writes;    /* writes attempted */
    int64_t completed; /* writes that completed */
    int crashed;
};

enum sim_dev_type { SIM_NET, SIM_BLOCK };

struct sim_device {
    char name[SIM_NAME_MAX + 1];
    enum sim_dev_type type;
    const char *attach; /* the command line's value, NULL: absent */
    const char *sector_arg;
    int acquired;
    struct sim_link link; /* net */
    struct sim_disk disk; /* block */
};

/* Entries 1 .. sim_ndevices, in manifest order: an entry's index is its
 * handle, as on Solo5. */
extern struct sim_device sim_devices[SIM_MAX_DEVICES + 1];
extern size_t sim_ndevices;

struct sim_device *sim_device_find(const char *name);
/* The acquired device of (handle) of (type), or NULL. */
struct sim_device *sim_device_of(solo5_handle_t handle, enum sim_dev_type type);
/* Fill the table from the program's manifest; 0 or 1 after saying why. */
int sim_manifest_load(const char *prog);

/* Open the peers and load the disks (at start-up); 0 or 1 after saying
 * why. */
int sim_devices_start(const char *prog);
/* Close the peers: 0 when every peer's verdict is good. */
int sim_devices_stop(void);
/* Back to the start-up state (miou_sim_reset()). */
void sim_devices_reset(void);
/* Free everything (at exit). */
void sim_devices_release(void);

/* net.c: the peers' side. */
int sim_link_open_peer(const char *prog, struct sim_device *d);
int sim_link_close_peer(struct sim_device *d);
void sim_link_clear(struct sim_link *l);
/* A frame reaches the device or the peer (events.c). */
void sim_link_to_device(struct sim_link *l, struct sim_frame *f);
void sim_link_to_peer(struct sim_link *l, struct sim_frame *f);
void sim_link_wakeup_due(struct sim_link *l);
/* The set of acquired net devices with a frame waiting. */
solo5_handle_set_t sim_net_ready(void);

/* peers.c: the registry, with the platform's own peer, silent. */
const struct miou_sim_peer *sim_peer_find(const char *name);

/* block.c */
int sim_disk_load(const char *prog, struct sim_device *d);
void sim_disk_reset(struct sim_disk *k);

/* ---- Options and exit (tenderopts.c, options.c, tender.c) -------------- */

/* The sim tender's options (tenderopts.c), for tender_parse(). */
extern const struct tender_option sim_options[];
/* --seed's value, and whether --seed or $MIOU_SIM_SEED gave one. */
extern uint64_t sim_seed_option;
extern int sim_seed_given;

/* Parse "N", "NK", "NM", "NG" (powers of 1024): 0 or -1. */
int sim_parse_size(const char *s, uint64_t *out);
/* Parse a duration "N" (ns) or with ns, us, ms, s: 0 or -1. */
int sim_parse_duration(const char *s, uint64_t *out);
/* Parse a probability "0.01", "1%", "1e-3" into parts per million. */
int sim_parse_ppm(const char *s, uint32_t *out);
/* Parse a --net-faults / --block-faults SPEC into (f): 0 or -1 after
 * printing why on stderr. */
int sim_parse_link_faults(const char *prog, const char *spec,
                          struct miou_sim_link_faults *f);
int sim_parse_block_faults(const char *prog, const char *spec,
                           struct miou_sim_block_faults *f);

/* End the process: print the report (seed, events, time, digest; the
 * replay command when status is not 0) and exit with (status). */
__attribute__((noreturn)) void sim_exit(int status, const char *why);

/* The program name for messages. */
extern const char *sim_prog;

#endif
