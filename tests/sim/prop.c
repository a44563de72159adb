/*
 * prop.c - the property runner: the solo5_app_main() of every property
 * program of tests/sim/ (see prop.h).
 *
 * For each property and each seed it resets the simulation to that seed
 * and calls the property's check. A property stops at its first failing
 * seed: that is the seed to replay, and the runner prints the command
 * that does it. The sim platform draws the workload and every scheduling
 * choice from the same seeded stream, so the replay takes the same path.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prop.h"

#define PROP_MSG_MAX 512

struct prop_ctx {
    uint64_t seed;
    int failed;
    char msg[PROP_MSG_MAX];
};

/* The runner's options, from the unikernel's command line. */
struct prop_options {
    uint64_t seeds;       /* --seeds=N */
    uint64_t first;       /* --first=S */
    const char *property; /* --property=NAME, or NULL for all */
    const char *program;  /* --program=PATH, or NULL for prop_program */
    int list;             /* --list */
    int expect_failure;   /* --expect-failure */
};

int prop_fail(struct prop_ctx *ctx, const char *fmt, ...)
{
    if (!ctx->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
        va_end(ap);
        ctx->failed = 1;
    }
    return -1;
}

int prop_failed(const struct prop_ctx *ctx)
{
    return ctx->failed;
}

uint64_t prop_seed(const struct prop_ctx *ctx)
{
    return ctx->seed;
}

uint64_t prop_between(uint64_t lo, uint64_t hi)
{
    if (hi <= lo)
        return lo;
    /* The full range would overflow the count; it is never asked for. */
    return lo + miou_sim_below(hi - lo + 1);
}

int prop_chance(unsigned percent)
{
    return miou_sim_below(100) < percent;
}

/* Parse a decimal number of at least (min); 0 or -1. */
static int parse_count(const char *s, uint64_t min, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end != '\0' || v < min)
        return -1;
    *out = v;
    return 0;
}

/* The value of word (w) when it is "--(name)=VALUE", else NULL. */
static const char *option_value(const char *w, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(w, "--", 2) != 0 || strncmp(w + 2, name, n) != 0 ||
        w[n + 2] != '=')
        return NULL;
    return w + n + 3;
}

static int bad_value(const char *name, const char *value)
{
    printf("prop: bad --%s: %s\n", name, value);
    return -1;
}

/* Read one word into (o): 0, or -1 after saying what is wrong. */
static int parse_word(const char *w, struct prop_options *o)
{
    const char *v;
    if ((v = option_value(w, "seeds")))
        return parse_count(v, 1, &o->seeds) ? bad_value("seeds", v) : 0;
    if ((v = option_value(w, "first")))
        return parse_count(v, 0, &o->first) ? bad_value("first", v) : 0;
    if ((v = option_value(w, "property"))) {
        o->property = v;
        return 0;
    }
    if ((v = option_value(w, "program"))) {
        o->program = v;
        return 0;
    }
    if (strcmp(w, "--list") == 0) {
        o->list = 1;
        return 0;
    }
    if (strcmp(w, "--expect-failure") == 0) {
        o->expect_failure = 1;
        return 0;
    }
    printf("prop: unknown argument: %s\n"
           "usage: [--seeds=N] [--first=S] [--property=NAME] [--list] "
           "[--program=PATH] [--expect-failure]\n",
           w);
    return -1;
}

static int parse_options(const struct miou_args *args, struct prop_options *o)
{
    memset(o, 0, sizeof *o);
    o->seeds = 1000;
    o->first = 1;
    for (int i = 0; i < args->argc; i++)
        if (parse_word(args->argv[i], o))
            return -1;
    return 0;
}

static const struct prop *find_property(const char *name)
{
    for (size_t i = 0; i < prop_count; i++)
        if (strcmp(prop_table[i].name, name) == 0)
            return &prop_table[i];
    return NULL;
}

/* Check (p) on one seed into (ctx): 0 when it held. */
static int check_seed(const struct prop *p, uint64_t seed, struct prop_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->seed = seed;
    miou_sim_reset(seed);
    int rc = p->check(ctx);
    if (rc != 0 && !ctx->failed)
        prop_fail(ctx, "the check returned %d without a message", rc);
    return ctx->failed ? -1 : 0;
}

/* Print the trace's identity after a replayed seed: the same program,
 * seed and arguments must print the same line on every run. */
static void print_digest(uint64_t seed)
{
    printf("# seed %llu digest 0x%016llx events %llu\n",
           (unsigned long long)seed, (unsigned long long)miou_sim_digest(),
           (unsigned long long)miou_sim_events());
}

static void print_failure(const struct prop *p, const struct prop_ctx *ctx,
                          const struct prop_options *o)
{
    const char *program = o->program ? o->program : prop_program;
    printf("not ok - %s: seed %llu: %s\n", p->name,
           (unsigned long long)ctx->seed, ctx->msg);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s%s%s --seed=%llu -- --property=%s", program,
             prop_tender_options[0] ? " " : "", prop_tender_options,
             (unsigned long long)ctx->seed, p->name);
    printf("# replay: %s\n", cmd);
    /* The platform's own replay line, at exit, would name the seed of the
     * last reset: the first failure's command replaces it. */
    static int told;
    if (!told) {
        told = 1;
        miou_sim_replay(cmd);
    }
}

/* Check (p) on the seeds the options select; 0 when it held on all. */
static int run_property(const struct prop *p, const struct prop_options *o)
{
    struct prop_ctx ctx;
    uint64_t first = o->first, n = o->seeds;
    int replay = miou_sim_seed_given();
    if (replay) {
        first = miou_sim_seed();
        n = 1;
    }
    for (uint64_t i = 0; i < n; i++) {
        int rc = check_seed(p, first + i, &ctx);
        /* A failing seed's digest too, to compare with its replay's. */
        if (replay || rc)
            print_digest(first + i);
        if (rc) {
            print_failure(p, &ctx, o);
            fflush(stdout);
            return -1;
        }
    }
    printf("ok - %s: %llu seeds (%s)\n", p->name, (unsigned long long)n,
           p->what);
    fflush(stdout);
    return 0;
}

static void list_properties(void)
{
    for (size_t i = 0; i < prop_count; i++)
        printf("%s - %s\n", prop_table[i].name, prop_table[i].what);
}

/* Run what the options select; the exit status. */
static int run_all(const struct prop_options *o)
{
    const struct prop *only = NULL;
    if (o->property && !(only = find_property(o->property))) {
        printf("prop: no property named %s (--list names them)\n", o->property);
        return 2;
    }
    if (o->list) {
        list_properties();
        return 0;
    }
    if (prop_setup && prop_setup() != 0) {
        printf("prop: the program's setup failed\n");
        return 2;
    }
    size_t passed = 0, failed = 0;
    for (size_t i = 0; i < prop_count; i++) {
        if (only && only != &prop_table[i])
            continue;
        if (run_property(&prop_table[i], o) == 0)
            passed++;
        else
            failed++;
    }
    printf("# prop: %zu passed, %zu failed\n", passed, failed);
    if (o->expect_failure)
        return failed ? 0 : 1;
    return failed ? 1 : 0;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    struct miou_args args;
    struct prop_options o;
    int rc = miou_args_parse(si && si->cmdline ? si->cmdline : "", &args);
    if (rc != 0) {
        printf("prop: cannot read the command line: %s\n", miou_strerror(rc));
        return 2;
    }
    rc = parse_options(&args, &o) ? 2 : run_all(&o);
    fflush(stdout);
    miou_args_free(&args);
    return rc;
}
