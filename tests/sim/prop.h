/*
 * prop.h - property tests over many seeds, for the sim platform.
 *
 * A property program is a unikernel built for the sim platform: it links
 * tests/sim/prop.c (which defines solo5_app_main()) with a table of
 * properties. A property is a function that builds a random workload from
 * the simulation's seeded stream (miou_sim_below(), miou_sim_random()),
 * runs it with miou_run() and checks invariants, failing through
 * prop_fail(). The runner calls it once per seed, after
 * miou_sim_reset(seed), so that a failing seed replays the same run.
 *
 * The unikernel's arguments (after the tender's options and "--"):
 *   --seeds=N        seeds per property (default 1000)
 *   --first=S        first seed (default 1)
 *   --property=NAME  run that property alone
 *   --list           print the properties and exit
 *   --program=PATH   the program's path in the replay line
 *   --expect-failure succeed only when some property fails (the runner's
 *                    self-test)
 * When the sim's seed is given on the command line (--seed=S), only that
 * seed runs, and the runner prints the trace's digest after each property.
 *
 * Output, one line per property, then a summary that scripts/test.sh
 * recognises:
 *   ok - NAME: N seeds (WHAT)
 *   not ok - NAME: seed S: MESSAGE
 *   # replay: PROGRAM [TENDER OPTIONS] --seed=S -- --property=NAME
 *   # prop: P passed, F failed
 */
#ifndef PROP_H_INCLUDED
#define PROP_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include <miou.h>
#include <miou_sim.h>

/* What a property's check receives: where its verdict is recorded. */
struct prop_ctx;

struct prop {
    const char *name; /* one word, for --property= */
    const char *what; /* the invariant, in a few words */
    /* Build, run and check one workload from the current seed: 0 when the
     * invariants held, else what prop_fail() returned. */
    int (*check)(struct prop_ctx *ctx);
};

/* Each program defines its properties... */
extern const struct prop prop_table[];
extern const size_t prop_count;
/* ...the path of its executable and the tender options it needs, for the
 * replay line, and a function run once before the first seed (NULL for
 * none; 0 on success), with PROP_PROGRAM(). */
extern const char prop_program[];
extern const char prop_tender_options[];
extern int (*const prop_setup)(void);

#define PROP_PROGRAM(path, tender_options, setup)                              \
    const char prop_program[] = path;                                          \
    const char prop_tender_options[] = tender_options;                         \
    int (*const prop_setup)(void) = setup

/* Record that the property failed, with a printf-style message; only the
 * first failure of a seed is kept (later ones usually follow from it).
 * Returns -1, so that `return prop_fail(ctx, ...);` ends a check. May be
 * called from tasks. */
int prop_fail(struct prop_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Whether prop_fail() was called for the current seed: tasks use it to
 * stop early once the verdict is known. */
int prop_failed(const struct prop_ctx *ctx);

/* The seed being checked. */
uint64_t prop_seed(const struct prop_ctx *ctx);

/* Draws from the simulation's stream: uniform in [lo, hi], and true with
 * (percent) chances out of 100. */
uint64_t prop_between(uint64_t lo, uint64_t hi);
int prop_chance(unsigned percent);

#endif
