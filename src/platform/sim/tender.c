/*
 * tender.c - the sim platform's main(): it reads the tender's options
 * (the hosted ones that make sense here, plus the seed, the peers and
 * the faults; see include/miou_sim.h), seeds the run, attaches the
 * devices of the manifest, maps the heap and calls solo5_app_main().
 * Every way out (return, solo5_exit(), solo5_abort(), a stuck wait) goes
 * through sim_exit(), which prints the report: seed, events, virtual
 * time and digest, and for a failed run the command that replays it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sim.h"

#ifndef MIOU_VERSION
#define MIOU_VERSION "0.1.0"
#endif

#define MEM_DEFAULT_MIB 512u
#define MEM_MAX_MIB 65536u
#define SECTOR_MAX (1u << 20)

int sim_heap_open(void *mem, size_t size);

const char *sim_prog = "sim";
static int saved_argc;
static char **saved_argv;
static int seed_given;
static char *cmdline; /* reachable for the leak checker at exit() */

int miou_sim_seed_given(void)
{
    return seed_given;
}

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: %s [OPTION]... [--] [ARGUMENT]...\n"
        "Runs the unikernel on the deterministic sim platform.\n"
        "  --seed=N                  the seed (else $MIOU_SIM_SEED, else 1)\n"
        "  --mem=MIB                 heap size (default %u)\n"
        "  --net:NAME=PEER[:ARG]     net device NAME talks to peer PEER\n"
        "  --net-faults:NAME=SPEC    delay=MIN..MAX,loss=P,dup=P,reorder=P\n"
        "  --block:NAME=SIZE|FILE    an in-memory disk (K, M, G suffixes)\n"
        "  --block-sector-size:NAME=N\n"
        "  --block-faults:NAME=SPEC  latency=MIN..MAX,error=P,crash=N\n"
        "  --trace                   print every event on standard error\n"
        "  --help, --version\n",
        sim_prog, MEM_DEFAULT_MIB);
    if (sim_ndevices) {
        fprintf(out, "Devices of the manifest:\n");
        for (size_t h = 1; h <= sim_ndevices; h++)
            fprintf(out, "  %s %s\n",
                    sim_devices[h].type == SIM_NET ? "net  " : "block",
                    sim_devices[h].name);
    }
}

/* The device named between (prefix) and '=' in (arg), of (type); NULL
 * after saying what is wrong. (*value) points after the '='. */
static struct sim_device *device_option(const char *arg, size_t prefix,
                                        enum sim_dev_type type,
                                        const char **value)
{
    const char *eq = strchr(arg + prefix, '=');
    char name[SIM_NAME_MAX + 1];
    size_t n = eq ? (size_t)(eq - arg - prefix) : 0;
    if (!eq || n == 0 || n > SIM_NAME_MAX) {
        fprintf(stderr, "%s: '%s': expected NAME=VALUE\n", sim_prog, arg);
        return NULL;
    }
    memcpy(name, arg + prefix, n);
    name[n] = '\0';
    struct sim_device *d = sim_device_find(name);
    if (!d || d->type != type) {
        fprintf(stderr,
                "%s: '%s': the manifest declares no %s device "
                "named '%s'\n",
                sim_prog, arg, type == SIM_NET ? "net" : "block", name);
        return NULL;
    }
    *value = eq + 1;
    return d;
}

static int attach_net(const char *arg)
{
    const char *v;
    struct sim_device *d = device_option(arg, 6, SIM_NET, &v);
    if (!d)
        return -1;
    const char *colon = strchr(v, ':');
    size_t n = colon ? (size_t)(colon - v) : strlen(v);
    char peer[64];
    if (n == 0 || n >= sizeof peer) {
        fprintf(stderr, "%s: '%s': no peer named\n", sim_prog, arg);
        return -1;
    }
    memcpy(peer, v, n);
    peer[n] = '\0';
    d->link.peer = sim_peer_find(peer);
    if (!d->link.peer) {
        fprintf(stderr,
                "%s: '%s': unknown peer '%s' (the platform has "
                "silent; the examples add pinger, responder and echo)\n",
                sim_prog, arg, peer);
        return -1;
    }
    free(d->link.peer_arg);
    d->link.peer_arg = colon ? strdup(colon + 1) : NULL;
    d->attach = v;
    return 0;
}

static int sector_size(const char *arg)
{
    const char *v;
    struct sim_device *d = device_option(arg, 20, SIM_BLOCK, &v);
    uint64_t s;
    if (!d)
        return -1;
    if (sim_parse_size(v, &s) || s < 512 || s > SECTOR_MAX || (s & (s - 1))) {
        fprintf(stderr,
                "%s: '%s': a sector size is a power of two from "
                "512 to %u\n",
                sim_prog, arg, SECTOR_MAX);
        return -1;
    }
    d->disk.sector_size = s;
    return 0;
}

/* One tender option; 0, 1 to stop with status 0 (help), -1 on error. */
static int option(const char *arg, uint64_t *seed, uint64_t *mem_mib)
{
    const char *v;
    struct sim_device *d;
    if (strncmp(arg, "--seed=", 7) == 0) {
        char *end;
        errno = 0;
        *seed = strtoull(arg + 7, &end, 0);
        if (errno || end == arg + 7 || *end) {
            fprintf(stderr, "%s: '%s': the seed is a number\n", sim_prog, arg);
            return -1;
        }
        seed_given = 1;
        return 0;
    }
    if (strncmp(arg, "--mem=", 6) == 0) {
        if (sim_parse_size(arg + 6, mem_mib) || *mem_mib == 0 ||
            *mem_mib > MEM_MAX_MIB) {
            fprintf(stderr,
                    "%s: '%s': --mem is a number of MiB from 1 to "
                    "%u\n",
                    sim_prog, arg, MEM_MAX_MIB);
            return -1;
        }
        return 0;
    }
    if (strcmp(arg, "--trace") == 0)
        return sim_trace_print = 1, 0;
    if (strncmp(arg, "--net:", 6) == 0)
        return attach_net(arg);
    if (strncmp(arg, "--net-faults:", 13) == 0)
        return (d = device_option(arg, 13, SIM_NET, &v)) &&
                       sim_parse_link_faults(sim_prog, v, &d->link.faults) == 0
                   ? 0
                   : -1;
    if (strncmp(arg, "--block:", 8) == 0) {
        if (!(d = device_option(arg, 8, SIM_BLOCK, &v)))
            return -1;
        d->attach = v;
        return 0;
    }
    if (strncmp(arg, "--block-sector-size:", 20) == 0)
        return sector_size(arg);
    if (strncmp(arg, "--block-faults:", 15) == 0)
        return (d = device_option(arg, 15, SIM_BLOCK, &v)) &&
                       sim_parse_block_faults(sim_prog, v, &d->disk.faults) == 0
                   ? 0
                   : -1;
    if (strcmp(arg, "--help") == 0)
        return usage(stdout), 1;
    if (strcmp(arg, "--version") == 0)
        return printf("miou-solo5 %s sim platform\n", MIOU_VERSION), 1;
    fprintf(stderr, "%s: unknown option '%s' (see --help)\n", sim_prog, arg);
    return -1;
}

/* The unikernel's arguments joined by spaces, the leading --solo5:LEVEL
 * words (the platform's on Solo5) left out. */
static char *join_args(int argc, char **argv)
{
    size_t size = 1;
    int i = 0;
    while (i < argc && strncmp(argv[i], "--solo5:", 8) == 0)
        i++;
    for (int j = i; j < argc; j++)
        size += strlen(argv[j]) + 1;
    char *s = malloc(size), *p = s;
    if (!s)
        return NULL;
    for (int j = i; j < argc; j++) {
        size_t len = strlen(argv[j]);
        if (p != s)
            *p++ = ' ';
        memcpy(p, argv[j], len);
        p += len;
    }
    *p = '\0';
    return s;
}

/* Print (s) quoted for a POSIX shell when it needs it. */
static void print_word(const char *s)
{
    if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789-_=:,./%+@") == strlen(s)) {
        fputs(s, stderr);
        return;
    }
    fputc('\'', stderr);
    for (; *s; s++)
        if (*s == '\'')
            fputs("'\\''", stderr);
        else
            fputc(*s, stderr);
    fputc('\'', stderr);
}

static char *replay_command; /* miou_sim_replay()'s, or NULL */

void miou_sim_replay(const char *command)
{
    free(replay_command);
    replay_command = command ? strdup(command) : NULL;
}

/* The command line of this process with the seed of this run in place
 * of any --seed, unless the program named another. */
static void print_replay(void)
{
    if (replay_command) {
        fprintf(stderr, "sim: replay: %s\n", replay_command);
        return;
    }
    fprintf(stderr, "sim: replay: ");
    print_word(saved_argc > 0 ? saved_argv[0] : sim_prog);
    fprintf(stderr, " --seed=%llu", (unsigned long long)miou_sim_seed());
    int in_app = 0;
    for (int i = 1; i < saved_argc; i++) {
        if (!in_app && strncmp(saved_argv[i], "--seed=", 7) == 0)
            continue;
        if (strcmp(saved_argv[i], "--") == 0)
            in_app = 1;
        fputc(' ', stderr);
        print_word(saved_argv[i]);
    }
    fputc('\n', stderr);
}

void sim_exit(int status, const char *why)
{
    static int exiting;
    if (!exiting) {
        exiting = 1;
        sim_events_flush_to_peers();
        if (sim_devices_stop() != 0 && status == 0) {
            status = 1;
            why = "a peer did not see what it expected";
        }
        sim_trace(EV_EXIT, (uint64_t)(int64_t)status, 0, 0, NULL, 0);
        fflush(stdout);
        fprintf(stderr,
                "sim: seed %llu, %llu events, virtual time %llu.%09llu s, "
                "digest %016llx\n",
                (unsigned long long)miou_sim_seed(),
                (unsigned long long)miou_sim_events(),
                (unsigned long long)(sim_now / 1000000000u),
                (unsigned long long)(sim_now % 1000000000u),
                (unsigned long long)miou_sim_digest());
        if (status != 0) {
            fprintf(stderr, "sim: the run failed (status %d%s%s)\n", status,
                    why ? ": " : "", why ? why : "");
            print_replay();
        }
        sim_devices_release();
        free(cmdline);
        cmdline = NULL;
        miou_sim_replay(NULL);
    }
    exit(status);
}

static uint64_t seed_from_environment(void)
{
    const char *e = getenv("MIOU_SIM_SEED");
    if (!e || !*e)
        return 1;
    char *end;
    errno = 0;
    uint64_t s = strtoull(e, &end, 0);
    if (errno || *end) {
        fprintf(stderr, "%s: MIOU_SIM_SEED='%s' is not a number\n", sim_prog,
                e);
        exit(1);
    }
    seed_given = 1;
    return s;
}

/* The heap at the same address on every run: task stacks and the
 * library's objects live there, and an address that reaches the console
 * (miou_dump() names what a task waits on by its address) would
 * otherwise change the digest from run to run with the host's address
 * randomisation. Elsewhere when that address is taken, with a warning. */
#define SIM_HEAP_ADDRESS ((uintptr_t)0x200000000000ull)

static void *map_heap(size_t size)
{
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
    void *heap = mmap((void *)SIM_HEAP_ADDRESS, size, PROT_READ | PROT_WRITE,
                      flags | MAP_FIXED_NOREPLACE, -1, 0);
    if (heap != MAP_FAILED && heap == (void *)SIM_HEAP_ADDRESS)
        return heap;
    if (heap != MAP_FAILED)
        munmap(heap, size); /* a kernel that ignores the flag */
    fprintf(stderr,
            "%s: warning: the heap is not at its fixed address; the "
            "digest of a program printing addresses may vary\n",
            sim_prog);
    return mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
}

int main(int argc, char **argv)
{
    uint64_t seed = 0, mem_mib = MEM_DEFAULT_MIB;
    int i;
    saved_argc = argc;
    saved_argv = argv;
    if (argc > 0) {
        const char *slash = strrchr(argv[0], '/');
        sim_prog = slash ? slash + 1 : argv[0];
    }
    if (sim_manifest_load(sim_prog) != 0)
        return 1;
    for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        int rc = option(argv[i], &seed, &mem_mib);
        if (rc != 0)
            return rc < 0 ? 1 : 0;
    }
    if (!seed_given)
        seed = seed_from_environment();
    sim_random_seed(seed);
    sim_clock_reset();
    sim_trace_reset();
    if (sim_devices_start(sim_prog) != 0) {
        sim_devices_release();
        return 1;
    }
    size_t size = (size_t)mem_mib << 20;
    void *heap = map_heap(size);
    if (heap == MAP_FAILED || sim_heap_open(heap, size) != 0) {
        fprintf(stderr, "%s: cannot map a heap of %llu MiB\n", sim_prog,
                (unsigned long long)mem_mib);
        return 1;
    }
    cmdline = join_args(argc - i, argv + i);
    if (!cmdline) {
        fprintf(stderr, "%s: out of memory\n", sim_prog);
        return 1;
    }
    struct solo5_start_info si = {cmdline, (uintptr_t)heap, size};
    sim_exit(solo5_app_main(&si), NULL);
}
