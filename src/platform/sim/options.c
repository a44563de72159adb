/*
 * options.c - the values of the sim tender's options: sizes, durations,
 * probabilities, and the fault specifications of --net-faults and
 * --block-faults ("delay=1ms..5ms,loss=1%,dup=0.001").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* A number followed by one of (units) (each with its factor); the whole
 * string must be used. */
struct unit {
    const char *name;
    uint64_t factor;
};

static int parse_with_units(const char *s, const struct unit *units,
                            uint64_t *out)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    for (const struct unit *u = units; u->name; u++) {
        if (strcmp(end, u->name) == 0) {
            if (u->factor && v > UINT64_MAX / u->factor)
                return -1;
            *out = (uint64_t)v * u->factor;
            return 0;
        }
    }
    return -1;
}

int sim_parse_size(const char *s, uint64_t *out)
{
    static const struct unit units[] = {{"", 1},
                                        {"K", 1ull << 10},
                                        {"M", 1ull << 20},
                                        {"G", 1ull << 30},
                                        {NULL, 0}};
    return parse_with_units(s, units, out);
}

int sim_parse_duration(const char *s, uint64_t *out)
{
    static const struct unit units[] = {{"", 1},           {"ns", 1},
                                        {"us", 1000},      {"ms", 1000000},
                                        {"s", 1000000000}, {NULL, 0}};
    return parse_with_units(s, units, out);
}

int sim_parse_ppm(const char *s, uint32_t *out)
{
    char *end;
    if (!s || !*s)
        return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s)
        return -1;
    if (strcmp(end, "%") == 0)
        v /= 100;
    else if (*end)
        return -1;
    if (!(v >= 0 && v <= 1))
        return -1;
    *out = (uint32_t)(v * 1000000 + 0.5);
    return 0;
}

/* "MIN..MAX" or a single duration. */
static int parse_range(const char *s, uint64_t *lo, uint64_t *hi)
{
    const char *dots = strstr(s, "..");
    if (!dots)
        return sim_parse_duration(s, lo) == 0 ? (*hi = *lo, 0) : -1;
    char first[64];
    size_t n = (size_t)(dots - s);
    if (n >= sizeof first)
        return -1;
    memcpy(first, s, n);
    first[n] = '\0';
    if (sim_parse_duration(first, lo) || sim_parse_duration(dots + 2, hi) ||
        *lo > *hi)
        return -1;
    return 0;
}

/* Call (item) for each "KEY=VALUE" of the comma-separated (spec). */
static int each_item(const char *prog, const char *spec, void *ctx,
                     int (*item)(void *ctx, const char *key, const char *v))
{
    char buf[256];
    if (strlen(spec) >= sizeof buf) {
        tender_error(prog, "fault specification too long: %s", spec);
        return -1;
    }
    strcpy(buf, spec);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            tender_error(prog, "fault '%s': expected KEY=VALUE", tok);
            return -1;
        }
        *eq = '\0';
        if (item(ctx, tok, eq + 1) != 0) {
            tender_error(prog, "fault '%s=%s': unknown key or bad value", tok,
                         eq + 1);
            return -1;
        }
    }
    return 0;
}

static int link_item(void *ctx, const char *key, const char *v)
{
    struct miou_sim_link_faults *f = ctx;
    if (strcmp(key, "delay") == 0)
        return parse_range(v, &f->delay_min_ns, &f->delay_max_ns);
    if (strcmp(key, "loss") == 0)
        return sim_parse_ppm(v, &f->loss_ppm);
    if (strcmp(key, "dup") == 0)
        return sim_parse_ppm(v, &f->dup_ppm);
    if (strcmp(key, "reorder") == 0)
        return sim_parse_ppm(v, &f->reorder_ppm);
    return -1;
}

static int block_item(void *ctx, const char *key, const char *v)
{
    struct miou_sim_block_faults *f = ctx;
    if (strcmp(key, "latency") == 0)
        return parse_range(v, &f->latency_min_ns, &f->latency_max_ns);
    if (strcmp(key, "error") == 0)
        return sim_parse_ppm(v, &f->error_ppm);
    if (strcmp(key, "crash") == 0)
        return sim_parse_size(v, &f->crash_at_write) == 0 &&
                       f->crash_at_write > 0
                   ? 0
                   : -1;
    return -1;
}

int sim_parse_link_faults(const char *prog, const char *spec,
                          struct miou_sim_link_faults *f)
{
    return each_item(prog, spec, f, link_item);
}

int sim_parse_block_faults(const char *prog, const char *spec,
                           struct miou_sim_block_faults *f)
{
    return each_item(prog, spec, f, block_item);
}
