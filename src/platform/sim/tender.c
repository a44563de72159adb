/*
 * tender.c - the sim platform's main(): it reads the tender's options
 * (the shared parser with tenderopts.c's table), seeds the run, attaches the
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

int sim_heap_open(void *mem, size_t size);

const char *sim_prog = "sim";
static int saved_argc;
static char **saved_argv;
/* Static: its command line stays reachable for the leak checker at
 * exit(). */
static struct tender tender;

int miou_sim_seed_given(void)
{
    return sim_seed_given;
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
    for (int i = 1; i < saved_argc; i++) {
        /* A --seed among the unikernel's arguments is the unikernel's. */
        if (i < tender.app_index && strncmp(saved_argv[i], "--seed=", 7) == 0)
            continue;
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
        tender_done(&tender);
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
        tender_error(sim_prog, "MIOU_SIM_SEED='%s' is not a number", e);
        exit(1);
    }
    sim_seed_given = 1;
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
    struct tender *t = &tender;
    saved_argc = argc;
    saved_argv = argv;
    sim_prog = tender_prog_name(argc > 0 ? argv[0] : NULL, "sim");
    t->prog = sim_prog;
    t->platform = "sim";
    t->options = sim_options;
    if (sim_manifest_load(sim_prog) != 0)
        return 1;
    int rc = tender_parse(t, argc, argv);
    if (rc != TENDER_RUN) {
        tender_done(t);
        return rc;
    }
    uint64_t seed = sim_seed_given ? sim_seed_option : seed_from_environment();
    sim_random_seed(seed);
    sim_clock_reset();
    sim_trace_reset();
    if (sim_devices_start(sim_prog) != 0) {
        sim_devices_release();
        tender_done(t);
        return 1;
    }
    size_t size = t->mem_mib << 20;
    void *heap = map_heap(size);
    if (heap == MAP_FAILED || sim_heap_open(heap, size) != 0) {
        fprintf(stderr, "%s: cannot map a heap of %zu MiB\n", sim_prog,
                t->mem_mib);
        tender_done(t);
        return 1;
    }
    struct solo5_start_info si = {t->cmdline, (uintptr_t)heap, size};
    tender_stderr_buffered();
    sim_exit(solo5_app_main(&si), NULL);
}
