/*
 * miou_sim.h - the deterministic simulation platform (libmiou-sim.a).
 *
 * The sim platform is a third implementation of the Solo5 calls, in
 * which nothing depends on the host: the clocks read a virtual clock
 * that jumps to the next event whenever the unikernel waits, net devices
 * are joined by simulated links to peers written in C that run in the
 * same virtual time, and block devices live in memory. Time stands still
 * while the unikernel computes: it moves when the unikernel waits, by
 * 1 us for each solo5_yield() call (a system call's cost) and by the
 * latency of each block call. Every choice the
 * simulation makes (a frame's delay, its loss, its duplication, a block
 * error, which of several woken tasks runs first) is drawn from one
 * stream seeded from the seed, so that one seed determines the whole run.
 *
 * The platform's main() takes the hosted tender's options plus:
 *   --seed=N                 the seed (else $MIOU_SIM_SEED, else 1)
 *   --net:NAME=PEER[:ARG]    attach net device NAME to a link whose other
 *                            end is the peer PEER (pinger, responder,
 *                            echo, silent, or one registered by the
 *                            program), given ARG
 *   --net-faults:NAME=SPEC   the link's faults, SPEC a comma-separated
 *                            list of delay=MIN..MAX (ns, or with a unit:
 *                            us, ms, s), loss=P, dup=P, reorder=P, where P
 *                            is a probability such as 0.01 or 1%
 *   --block:NAME=SIZE        an in-memory disk of SIZE bytes (K, M, G)
 *   --block:NAME=FILE        an in-memory disk holding FILE's bytes (the
 *                            file is only read)
 *   --block-sector-size:NAME=N
 *   --block-faults:NAME=SPEC latency=MIN..MAX (the virtual time each block
 *                            call takes; 10 us when not given), error=P
 *                            (a block call fails
 *                            with SOLO5_R_EUNSPEC and moves nothing),
 *                            crash=N (the disk loses power at its Nth
 *                            write: that write and every later call fail,
 *                            and only the writes that completed remain)
 *   --trace                  print every event of the trace on stderr
 * At exit it prints, on standard error, the seed, the number of events,
 * the virtual time and a 64-bit digest of the trace; the same program,
 * seed and arguments give the same digest on every run and machine. A
 * run that fails (a status other than 0, an abort) also prints the one
 * command that replays it.
 *
 * The functions below are for test programs and peers built for the sim
 * platform; none of them is available on hosted or Solo5.
 */
#ifndef MIOU_SIM_H_INCLUDED
#define MIOU_SIM_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Seed, randomness, virtual time ---------------------------------- */

/* The seed of the current run. */
uint64_t miou_sim_seed(void);

/* Whether the seed was chosen on the command line or by $MIOU_SIM_SEED
 * (a property runner then checks that seed alone). */
int miou_sim_seed_given(void);

/* The next number of the run's seeded stream, and a number drawn
 * uniformly in [0, n) from it (0 when n is 0). Tests draw their workloads
 * from the same stream as the platform, so one seed fixes both. */
uint64_t miou_sim_random(void);
uint64_t miou_sim_below(uint64_t n);

/* The virtual monotonic clock, in ns (what solo5_clock_monotonic()
 * returns, without recording a read in the trace). */
uint64_t miou_sim_now(void);

/* Start again from (seed), between two miou_run() calls: the clock goes
 * back to its start, the stream and the trace start afresh, every link is
 * emptied and every peer reopened, every disk gets back the content it
 * had at start-up (faults and crash point included). The devices stay
 * acquired. A property runner calls it before each seed. */
void miou_sim_reset(uint64_t seed);

/* The command a failed run prints as the one that replays it, in place
 * of the process's own command line with the run's seed (a runner that
 * checks many seeds in one process names the failing one); NULL goes back
 * to that default. The text is copied. */
void miou_sim_replay(const char *command);

/* ---- The trace ---------------------------------------------------------- */

/* Add an event of the program's own to the trace (and to its digest). */
void miou_sim_trace(const char *what, uint64_t value);

/* The digest of the trace so far, and how many events it holds. */
uint64_t miou_sim_digest(void);
uint64_t miou_sim_events(void);

/* ---- Faults, set by the command line or by a program ----------------- */

struct miou_sim_link_faults {
    uint64_t delay_min_ns, delay_max_ns; /* each frame's transit time */
    uint32_t loss_ppm;                   /* frames dropped, per million */
    uint32_t dup_ppm;     /* frames delivered twice, per million */
    uint32_t reorder_ppm; /* frames held back by up to 4 more delays */
};

struct miou_sim_block_faults {
    uint64_t latency_min_ns, latency_max_ns; /* virtual time a call takes */
    uint32_t error_ppm;      /* calls failing with SOLO5_R_EUNSPEC */
    uint64_t crash_at_write; /* 0: never; N: power lost at the Nth write */
};

/* Set the faults of the net or block device (name) of the manifest:
 * 0, or -1 when there is no such device (or the values make no sense:
 * a minimum above its maximum, a probability above one million). Kept
 * across miou_sim_reset(). */
int miou_sim_net_faults(const char *name, const struct miou_sim_link_faults *f);
int miou_sim_block_faults(const char *name,
                          const struct miou_sim_block_faults *f);

/* ---- Disks ------------------------------------------------------------ */

/* The bytes of the in-memory disk (name) as they are now, and its size:
 * 0, or -1 when there is no such block device. */
int miou_sim_block_image(const char *name, const uint8_t **data,
                         uint64_t *size);

/* How many writes of disk (name) completed (a failed one does not count),
 * and whether it lost power; -1 when there is no such device. */
int64_t miou_sim_block_writes(const char *name);
int miou_sim_block_crashed(const char *name);

/* ---- Peers -------------------------------------------------------------- */

/* A link, seen from its peer. */
struct miou_sim_link;

/* A peer: C code at the far end of a link, run by the simulation in
 * virtual time. open() is called at start-up and at each reset, with the
 * text after "PEER:" on the command line (NULL without), and returns the
 * peer's state (NULL: it cannot run; the platform stops with a message).
 * receive() gets each frame the unikernel sent, once its transit is over;
 * wakeup() runs at the time asked with miou_sim_link_wakeup(); close()
 * runs at exit and before a reset, and returns the peer's verdict: 0 when
 * it saw what it expected, else -1 after printing why (the run then
 * fails). Any of the four may be NULL (nothing to do). A peer runs
 * inside the unikernel's Solo5 calls: it may call the miou_sim_link_*
 * functions, miou_sim_now() and miou_sim_random()/miou_sim_below(), but
 * no other miou_* or solo5_* function. */
struct miou_sim_peer {
    const char *name;
    void *(*open)(struct miou_sim_link *link, const char *arg);
    void (*receive)(void *state, const uint8_t *frame, size_t len);
    void (*wakeup)(void *state);
    int (*close)(void *state);
};

/* Make (peer) known by its name, for --net:NAME=PEER and
 * miou_sim_net_peer(); 0, or -1 when the table is full or the name taken. */
int miou_sim_peer_register(const struct miou_sim_peer *peer);

/* Attach net device (name) to (peer) with (arg), from the next reset on
 * (or at once, before the device is first used): 0, or -1 when there is
 * no such device. */
int miou_sim_net_peer(const char *name, const struct miou_sim_peer *peer,
                      const char *arg);

/* Send a frame to the unikernel: it goes through the link's faults and
 * reaches the device after its delay. 0, or -1 when (len) is 0 or above
 * the device's MTU plus its 14-byte Ethernet header. */
int miou_sim_link_send(struct miou_sim_link *link, const void *frame,
                       size_t len);

/* Ask for a wakeup() at virtual time (at) (at once when in the past);
 * replaces the wakeup asked before. */
void miou_sim_link_wakeup(struct miou_sim_link *link, uint64_t at);

/* The unikernel's MAC address on the link, and the device's name. */
const uint8_t *miou_sim_link_mac(const struct miou_sim_link *link);
const char *miou_sim_link_name(const struct miou_sim_link *link);

/* How many copies of frames the peer sent were put in the device's
 * receive queue (duplicates count twice, lost frames not at all), and how
 * many of them the unikernel read. */
struct miou_sim_link_counts {
    uint64_t sent, lost, duplicated, delivered, read;
};
int miou_sim_net_counts(const char *name, struct miou_sim_link_counts *c);

#ifdef __cplusplus
}
#endif

#endif
