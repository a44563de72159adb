/*
 * bench_block - block device throughput, one block per call, sequential
 * over the whole image, against plain pread()/pwrite() on the same file.
 *
 * Run with the block device "storage" attached (bench_block.manifest.json)
 * and the path of the same image as argument, so that the baseline opens
 * the file itself in the same process:
 *
 *   bench_block --block:storage=IMG [--block-sector-size:storage=4096] \
 *       -- path=IMG [n=BLOCKS] [rounds=5] [tasks=4] [op=read|write]
 *       [only=VARIANT]
 *
 * Built for Solo5 (build/spt/bench/bench_block.spt), it works on the
 * attached device only: a unikernel opens no file, so path= is not read
 * and the baselines call Solo5 itself, solo5_block_read()/write() on the
 * device's handle (under spt, the tender's pread()/pwrite() through its
 * seccomp filter): what the library adds on top of Solo5.
 *
 *   solo5-spt --block:storage=IMG [--block-sector-size:storage=4096] \
 *       bench_block.spt [n=BLOCKS] [rounds=5] [tasks=4] ...
 *
 * Variants, each round running all of them one after the other (reads
 * first, then writes; the order of the variants turns by one each round,
 * so that none always runs first or right after the other operation):
 *   baseline  pread()/pwrite() of one block per call on the image opened
 *             by path (O_RDWR), from the first task (Solo5:
 *             solo5_block_read()/write() of one block per call)
 *   baselineN the same, block i moving from or to buffer i mod N: the
 *             baseline of schedN, whose N tasks have a buffer each (with
 *             4096-byte blocks, N buffers cost the copy more cache misses
 *             than one buffer reused; this variant shows how much)
 *   atomic    miou_block_atomic_read()/write() of one block per call
 *   sched     miou_block_read()/write() of one block per call from one
 *             task: each call queues the operation and suspends the task;
 *             the loop moves the block and wakes the task
 *   schedN    the same from N tasks at once (tasks=N, default 4): task j
 *             moves blocks j, j+N, j+2N, ... so the device still sees
 *             the blocks in order, and N operations are queued at a time
 *
 * Each pass moves n blocks (default: the whole image, and at least
 * 131072 blocks) at offsets 0, bs, 2bs, ... (wrapping around the image). Writes
 * go to the page cache and are never synced, as Solo5's spt tender does. Before
 * the first round the image is read once, then written once (untimed), so that
 * every timed pass finds its pages in the cache, already dirty for writes.
 *
 * Figures, per operation (read, write) and sector size (the device's):
 *   <op><bs>_<variant>_ns_per_op   median over the rounds
 *   <op><bs>_<variant>_MBps        bytes per second / 10^6 at that median
 *   <op><bs>_<variant>_rate_over_baseline  baseline ns / variant ns: the
 *                                  share of the baseline's rate (1 = same)
 *   <op><bs>_schedN_rate_over_baselineN    the same against baselineN
 * and, for the scheduled variants, the task switches and polls per block.
 * With only=VARIANT (bench/run.sh's callgrind runs), VARIANT is one of the
 * names above without the operation: baseline, atomic, sched, ...
 */
#ifdef MIOU_PLATFORM_HOSTED
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#endif

#include "common.h"

#define BENCH "block"
#define MAX_TASKS 64
#define ALIGN 4096
#define MIN_PASS 131072 /* blocks of a pass when n= is not given */

enum { BASE, BASEN, ATOMIC, SCHED, SCHEDN, NVARIANTS };
enum { READ, WRITE, NOPS };
static const char *const op_names[NOPS] = {"read", "write"};

static struct {
    const char *cmd;
    char path[1024]; /* the image, for the baseline; "" when not given */
    int fd;          /* the image opened by path, or -1 */
    int base;        /* 1 when the baselines can run */
#ifdef MIOU_PLATFORM_SOLO5
    solo5_handle_t h; /* the device, for the baselines */
#endif
    unsigned rounds;
    unsigned tasks;
    uint64_t n; /* blocks per pass */
    int want_op[NOPS];
    char names[NVARIANTS][16];
    /* The device. */
    miou_block *b;
    struct miou_block_info info;
    size_t bs;
    uint64_t nblocks; /* blocks in the image */
    uint8_t *buf[MAX_TASKS];
    /* Figures: ns per block, per operation, variant and round. */
    double ns[NOPS][NVARIANTS][BENCH_MAX_ROUNDS];
    double switches[NOPS][NVARIANTS], polls[NOPS][NVARIANTS];
} B;

/* Copy the value of "key=" (up to the next space) into (out). */
static void arg_string(const char *key, char *out, size_t size)
{
    const char *v = bench_arg(B.cmd, key);
    size_t len = 0;
    out[0] = '\0';
    if (!v)
        return;
    while (v[len] && v[len] != ' ')
        len++;
    BENCH_CHECK(len < size);
    memcpy(out, v, len);
    out[len] = '\0';
}

static uint64_t offset_of(uint64_t i)
{
    return (i % B.nblocks) * B.bs;
}

/* ---- The variants: each moves B.n blocks and returns the ns taken. */

/* One block of the baseline at (off): the host's pread()/pwrite() on the
 * image; under Solo5, Solo5's own call on the device, as the library makes
 * it under its checks and its bookkeeping. */
#ifdef MIOU_PLATFORM_HOSTED
static int baseline_io(int op, uint8_t *buf, uint64_t off)
{
    ssize_t r = op == READ ? pread(B.fd, buf, B.bs, (off_t)off)
                           : pwrite(B.fd, buf, B.bs, (off_t)off);
    return r == (ssize_t)B.bs;
}
#else
static int baseline_io(int op, uint8_t *buf, uint64_t off)
{
    solo5_result_t r = op == READ ? solo5_block_read(B.h, off, buf, B.bs)
                                  : solo5_block_write(B.h, off, buf, B.bs);
    return r == SOLO5_R_OK;
}
#endif

/* The baseline with (nbufs) buffers in turn: one, or as schedN's N tasks
 * use them. */
static uint64_t run_baseline_over(int op, unsigned nbufs)
{
    unsigned k = 0;
    uint64_t t0 = bench_now();
    for (uint64_t i = 0; i < B.n; i++) {
        BENCH_CHECK(baseline_io(op, B.buf[k], offset_of(i)));
        if (++k == nbufs)
            k = 0;
    }
    return bench_now() - t0;
}

static uint64_t run_baseline(int op)
{
    return run_baseline_over(op, 1);
}

static uint64_t run_baseline_n(int op)
{
    return run_baseline_over(op, B.tasks);
}

static uint64_t run_atomic(int op)
{
    uint8_t *buf = B.buf[0];
    size_t bs = B.bs;
    miou_block *b = B.b;
    uint64_t t0 = bench_now();
    for (uint64_t i = 0; i < B.n; i++) {
        int rc = op == READ ? miou_block_atomic_read(b, offset_of(i), buf, bs)
                            : miou_block_atomic_write(b, offset_of(i), buf, bs);
        BENCH_CHECK(rc == 0);
    }
    return bench_now() - t0;
}

struct mover {
    int op;
    uint64_t first, step;
    uint8_t *buf;
};

/* Scheduled I/O of blocks first, first + step, ... below B.n. */
static void *move_blocks(void *arg)
{
    const struct mover *m = arg;
    size_t bs = B.bs;
    miou_block *b = B.b;
    for (uint64_t i = m->first; i < B.n; i += m->step) {
        int rc = m->op == READ ? miou_block_read(b, offset_of(i), m->buf, bs)
                               : miou_block_write(b, offset_of(i), m->buf, bs);
        BENCH_CHECK(rc == 0);
    }
    return NULL;
}

static uint64_t run_sched(int op, unsigned tasks, struct miou_stats *delta)
{
    struct mover m[MAX_TASKS];
    miou_task *t[MAX_TASKS];
    struct miou_stats s0, s1;
    miou_stats(&s0);
    uint64_t t0 = bench_now();
    if (tasks == 1) {
        /* From the calling task itself: no spawn in the figure. */
        m[0] = (struct mover){op, 0, 1, B.buf[0]};
        move_blocks(&m[0]);
    } else {
        for (unsigned j = 0; j < tasks; j++) {
            m[j] = (struct mover){op, j, tasks, B.buf[j]};
            BENCH_CHECK(miou_async(&t[j], move_blocks, &m[j]) == 0);
        }
        BENCH_CHECK(miou_await_all(t, tasks, NULL, NULL) == 0);
    }
    uint64_t ns = bench_now() - t0;
    miou_stats(&s1);
    delta->switches = s1.switches - s0.switches;
    delta->polls = s1.polls - s0.polls;
    return ns;
}

static int have(int v)
{
    return ((v != BASE && v != BASEN) || B.base) &&
           bench_want(B.cmd, B.names[v]);
}

static double measure(int op, int v)
{
    struct miou_stats d = {0};
    uint64_t ns = 0;
    switch (v) {
    case BASE:
        ns = run_baseline(op);
        break;
    case BASEN:
        ns = run_baseline_n(op);
        break;
    case ATOMIC:
        ns = run_atomic(op);
        break;
    case SCHED:
        ns = run_sched(op, 1, &d);
        break;
    case SCHEDN:
        ns = run_sched(op, B.tasks, &d);
        break;
    }
    B.switches[op][v] = (double)d.switches / (double)B.n;
    B.polls[op][v] = (double)d.polls / (double)B.n;
    return (double)ns / (double)B.n;
}

/* ---- Set-up: the device, the image, the buffers. */

static void check_device(void)
{
    BENCH_CHECK(miou_block_acquire("storage", &B.b, &B.info) == 0);
    B.bs = (size_t)B.info.block_size;
    BENCH_CHECK(B.bs > 0 && B.bs <= (1u << 20));
    B.nblocks = B.info.capacity / B.bs;
    BENCH_CHECK(B.nblocks > 0);
    /* At least MIN_PASS blocks a pass, going round a small image again,
     * so that a pass of big blocks still lasts long enough to time. */
    if (B.n == 0)
        B.n = B.nblocks > MIN_PASS ? B.nblocks : MIN_PASS;
    uint64_t want = bench_arg_u64(B.cmd, "sector", 0);
    BENCH_CHECK(want == 0 || want == B.bs);
    for (unsigned j = 0; j < MAX_TASKS; j++) {
        void *p = NULL;
        BENCH_CHECK(posix_memalign(&p, ALIGN, B.bs) == 0);
        B.buf[j] = p;
        for (size_t k = 0; k < B.bs; k++)
            B.buf[j][k] = (uint8_t)(k * 7 + j);
    }
#ifdef MIOU_PLATFORM_SOLO5
    /* The device again, from Solo5 itself (it hands out the same handle:
     * a block device may be acquired more than once); without it, no
     * baseline. What one side writes, the other reads. */
    struct solo5_block_info si;
    uint64_t last = (B.nblocks - 1) * B.bs;
    uint8_t *got = B.buf[MAX_TASKS - 1];
    if (solo5_block_acquire("storage", &B.h, &si) != SOLO5_R_OK) {
        printf("# baseline: solo5_block_acquire refused a second acquire\n");
        return;
    }
    BENCH_CHECK(si.capacity == B.info.capacity && si.block_size == B.bs);
    BENCH_CHECK(miou_block_atomic_write(B.b, last, B.buf[1], B.bs) == 0);
    BENCH_CHECK(solo5_block_read(B.h, last, got, B.bs) == SOLO5_R_OK);
    BENCH_CHECK(memcmp(got, B.buf[1], B.bs) == 0);
    BENCH_CHECK(solo5_block_write(B.h, last, B.buf[2], B.bs) == SOLO5_R_OK);
    BENCH_CHECK(miou_block_read(B.b, last, got, B.bs) == 0);
    BENCH_CHECK(memcmp(got, B.buf[2], B.bs) == 0);
    B.base = 1;
#else
    if (B.fd < 0)
        return;
    /* The file is the device: same size, and what the device writes is
     * what the file holds. */
    struct stat st;
    BENCH_CHECK(fstat(B.fd, &st) == 0);
    BENCH_CHECK((uint64_t)st.st_size == B.info.capacity);
    uint64_t last = (B.nblocks - 1) * B.bs;
    uint8_t *got = B.buf[MAX_TASKS - 1];
    BENCH_CHECK(miou_block_atomic_write(B.b, last, B.buf[1], B.bs) == 0);
    BENCH_CHECK(pread(B.fd, got, B.bs, (off_t)last) == (ssize_t)B.bs);
    BENCH_CHECK(memcmp(got, B.buf[1], B.bs) == 0);
    BENCH_CHECK(miou_block_read(B.b, last, got, B.bs) == 0);
    BENCH_CHECK(memcmp(got, B.buf[1], B.bs) == 0);
#endif
}

/* Read the whole image once, then write it once (the same bytes back),
 * untimed: the timed passes find every page in the cache. */
static void warm_up(void)
{
    size_t chunk = 1u << 20;
    uint8_t *buf = malloc(chunk);
    BENCH_CHECK(buf != NULL);
    for (uint64_t off = 0; off < B.info.capacity; off += chunk) {
        size_t len = B.info.capacity - off < chunk
                         ? (size_t)(B.info.capacity - off)
                         : chunk;
#ifdef MIOU_PLATFORM_HOSTED
        if (B.fd >= 0) {
            BENCH_CHECK(pread(B.fd, buf, len, (off_t)off) == (ssize_t)len);
            BENCH_CHECK(pwrite(B.fd, buf, len, (off_t)off) == (ssize_t)len);
            continue;
        }
#endif
        BENCH_CHECK(miou_block_atomic_read(B.b, off, buf, len) == 0);
        BENCH_CHECK(miou_block_atomic_write(B.b, off, buf, len) == 0);
    }
    free(buf);
}

static void report(int op)
{
    char name[64], key[96];
    double med[NVARIANTS] = {0};
    for (int v = 0; v < NVARIANTS; v++) {
        if (!have(v))
            continue;
        snprintf(name, sizeof name, "%s%zu_%s", op_names[op], B.bs, B.names[v]);
        med[v] = bench_median(B.ns[op][v], B.rounds);
        snprintf(key, sizeof key, "%s_ns_per_op", name);
        bench_result(BENCH, key, med[v], "ns");
        snprintf(key, sizeof key, "%s_MBps", name);
        bench_result(BENCH, key, (double)B.bs * 1e3 / med[v], "MB/s");
        if (v == SCHED || v == SCHEDN) {
            snprintf(key, sizeof key, "%s_switches_per_op", name);
            bench_result(BENCH, key, B.switches[op][v], "switches");
            snprintf(key, sizeof key, "%s_polls_per_op", name);
            bench_result(BENCH, key, B.polls[op][v], "polls");
        }
    }
    for (int v = ATOMIC; v < NVARIANTS; v++) {
        snprintf(key, sizeof key, "%s%zu_%s_rate_over_baseline", op_names[op],
                 B.bs, B.names[v]);
        bench_report_ratio(BENCH, key, med[BASE], med[v]);
    }
    snprintf(key, sizeof key, "%s%zu_%s_rate_over_%s", op_names[op], B.bs,
             B.names[SCHEDN], B.names[BASEN]);
    bench_report_ratio(BENCH, key, med[BASEN], med[SCHEDN]);
}

static void *bench_main(void *arg)
{
    (void)arg;
    check_device();
    warm_up();
#ifdef MIOU_PLATFORM_HOSTED
    const char *base = B.fd >= 0 ? "baseline on " : "no baseline (no path=)";
    const char *on = B.fd >= 0 ? B.path : "";
#else
    const char *base =
        B.base ? "baseline: solo5_block_read/write on " : "no baseline";
    const char *on = B.base ? "the device" : "";
#endif
    printf("# block: %zu-byte blocks, image of %llu blocks (%llu MiB), "
           "%llu blocks per pass, %u rounds, ns per block; %s%s\n",
           B.bs, (unsigned long long)B.nblocks,
           (unsigned long long)(B.info.capacity >> 20), (unsigned long long)B.n,
           B.rounds, base, on);
    for (unsigned r = 0; r < B.rounds; r++) {
        printf("round %u:", r + 1);
        for (int op = 0; op < NOPS; op++) {
            if (!B.want_op[op])
                continue;
            printf(" %s", op_names[op]);
            for (int i = 0; i < NVARIANTS; i++) {
                int v = (int)((i + r) % NVARIANTS);
                if (!have(v))
                    continue;
                B.ns[op][v][r] = measure(op, v);
                printf(" %s %.1f", B.names[v], B.ns[op][v][r]);
            }
        }
        printf("\n");
        fflush(stdout);
    }
    for (int op = 0; op < NOPS; op++)
        if (B.want_op[op])
            report(op);
    for (unsigned j = 0; j < MAX_TASKS; j++)
        free(B.buf[j]);
    return NULL;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    char op[16];
    B.cmd = si->cmdline;
    B.rounds = bench_rounds(B.cmd);
    B.n = bench_arg_u64(B.cmd, "n", 0);
    B.tasks = (unsigned)bench_arg_u64(B.cmd, "tasks", 4);
    BENCH_CHECK(B.tasks >= 2 && B.tasks <= MAX_TASKS);
    snprintf(B.names[BASE], sizeof B.names[BASE], "baseline");
    snprintf(B.names[BASEN], sizeof B.names[BASEN], "baseline%u", B.tasks);
    snprintf(B.names[ATOMIC], sizeof B.names[ATOMIC], "atomic");
    snprintf(B.names[SCHED], sizeof B.names[SCHED], "sched");
    snprintf(B.names[SCHEDN], sizeof B.names[SCHEDN], "sched%u", B.tasks);
    arg_string("op", op, sizeof op);
    B.want_op[READ] = op[0] == '\0' || strcmp(op, "read") == 0;
    B.want_op[WRITE] = op[0] == '\0' || strcmp(op, "write") == 0;
    BENCH_CHECK(B.want_op[READ] || B.want_op[WRITE]);
    B.fd = -1;
#ifdef MIOU_PLATFORM_HOSTED
    arg_string("path", B.path, sizeof B.path);
    if (B.path[0]) {
        B.fd = open(B.path, O_RDWR);
        if (B.fd < 0) {
            fprintf(stderr, "bench_block: %s: %s\n", B.path, strerror(errno));
            return 2;
        }
        B.base = 1;
    } else {
        printf("# baseline: no path=IMAGE given, measured without it\n");
    }
#endif
    int rc = miou_run(NULL, bench_main, NULL, NULL);
#ifdef MIOU_PLATFORM_HOSTED
    if (B.fd >= 0)
        close(B.fd);
#endif
    if (rc != 0) {
        fprintf(stderr, "bench_block: miou_run: %s\n", miou_strerror(rc));
        return 1;
    }
    return 0;
}
