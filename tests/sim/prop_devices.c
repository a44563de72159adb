/*
 * prop_devices.c - properties of the devices through the scheduler, on
 * the sim platform's faulty disk and link (see prop.h):
 *
 *   block_once  scheduled and atomic block reads and writes from several
 *               tasks, on a disk that is slow, fails at random and may
 *               lose power: each call returns once, reads give what the
 *               completed writes left, and the disk ends holding exactly
 *               that;
 *   net_once    a peer sends numbered frames over a link that delays,
 *               loses, duplicates and reorders them, and reader tasks
 *               take them: each copy on the wire is read at most once,
 *               intact, and nothing is read that was not sent; frames the
 *               unikernel writes reach the peer intact, each at most once
 *               per copy.
 *
 * Run with --net:link=silent --block:disk=1M: at start-up the program
 * puts its own peer ("prop") on the link, and each seed draws the faults.
 */
#include <stdio.h>
#include <string.h>

#include "prop.h"

static int devices_setup(void);

PROP_PROGRAM("build/sim/tests/sim/prop_devices",
             "--net:link=silent --block:disk=1M", devices_setup);

#define US 1000ull
#define MS 1000000ull

/* A well-mixed 64-bit function of (x) (SplitMix64's finaliser): the
 * contents of blocks and frames, so that any byte out of place shows. */
static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* ====================================================================== */
/* block_once                                                              */
/* ====================================================================== */

#define BK_REGION 64   /* blocks the workers touch, at most */
#define BK_OP_BLOCKS 8 /* blocks per call, at most */
#define BK_WORKERS 8
#define BK_OPS 12      /* calls per worker, at most */
#define BK_MAX_BS 4096 /* largest sector size handled */
#define BK_TAGS 8      /* contents a block may hold before "any" */

enum bk_kind { BK_READ, BK_WRITE, BK_ATOMIC_READ, BK_ATOMIC_WRITE, BK_KINDS };

static const char *const bk_names[BK_KINDS] = {
    "miou_block_read", "miou_block_write", "miou_block_atomic_read",
    "miou_block_atomic_write"};

/* What a block may hold: one of (tag), or anything (after too many
 * uncertain writes). Tag 0 is the zeroed block of start-up; a written
 * block holds its tag in its first 8 bytes, and the rest follows. */
struct bk_model {
    unsigned n;
    int any;
    uint64_t tag[BK_TAGS];
};

struct bk_worker {
    unsigned index, ops;
    uint64_t issued, returned; /* calls made, calls that returned */
    miou_task *h;
    int released;
};

static struct {
    struct prop_ctx *ctx;
    miou_block *disk;
    size_t bs;
    unsigned region, nworkers;
    struct miou_sim_block_faults faults;
    struct bk_model model[BK_REGION];
    int busy[BK_REGION]; /* a call on it is in flight */
    miou_mutex m;
    miou_cond freed;
    uint64_t next_op;
    uint64_t written_ok;  /* blocks of writes that returned 0 */
    uint64_t written_max; /* blocks of every write issued */
    int cancel;           /* the first task cancels a worker */
    unsigned victim;
    uint64_t cancel_after;
    int main_status;
    size_t waiters_after;
    struct bk_worker w[BK_WORKERS];
    uint8_t buf[BK_WORKERS][BK_OP_BLOCKS * BK_MAX_BS];
} bk;

static void bk_fill(uint8_t *block, size_t bs, uint64_t tag)
{
    put64(block, tag);
    for (size_t i = 8; i < bs; i += 8)
        put64(block + i, tag ? mix64(tag ^ (uint64_t)i << 40) : 0);
}

/* The tag of the content of (block), or -1 when it is no content ever
 * written (a block torn or misplaced). */
static int bk_identify(const uint8_t *block, size_t bs, uint64_t *tag)
{
    uint8_t want[BK_MAX_BS];
    *tag = get64(block);
    bk_fill(want, bs, *tag);
    return memcmp(block, want, bs) == 0 ? 0 : -1;
}

static int bk_may_hold(const struct bk_model *m, uint64_t tag)
{
    if (m->any)
        return 1;
    for (unsigned i = 0; i < m->n; i++)
        if (m->tag[i] == tag)
            return 1;
    return 0;
}

static void bk_set(struct bk_model *m, uint64_t tag)
{
    m->any = 0;
    m->n = 1;
    m->tag[0] = tag;
}

/* A write whose fate is unknown: the block holds its old content or
 * the new one. */
static void bk_maybe(struct bk_model *m, uint64_t tag)
{
    if (bk_may_hold(m, tag))
        return;
    if (m->n == BK_TAGS)
        m->any = 1;
    else
        m->tag[m->n++] = tag;
}

static int bk_busy(unsigned first, unsigned n)
{
    for (unsigned b = first; b < first + n; b++)
        if (bk.busy[b])
            return 1;
    return 0;
}

/* Take blocks [first, first + n) for one call: calls on a block never
 * overlap, so that the model knows what each one must see. */
static int bk_reserve(unsigned first, unsigned n)
{
    int rc = miou_mutex_lock(&bk.m);
    if (rc)
        return rc;
    while (bk_busy(first, n)) {
        rc = miou_cond_wait(&bk.freed, &bk.m);
        if (rc) {
            miou_mutex_unlock(&bk.m);
            return rc;
        }
    }
    for (unsigned b = first; b < first + n; b++)
        bk.busy[b] = 1;
    miou_mutex_unlock(&bk.m);
    return 0;
}

static void bk_release(unsigned first, unsigned n)
{
    for (unsigned b = first; b < first + n; b++)
        bk.busy[b] = 0;
    miou_cond_broadcast(&bk.freed);
}

static int bk_call(enum bk_kind kind, unsigned first, uint8_t *buf, size_t size)
{
    uint64_t off = (uint64_t)first * bk.bs;
    switch (kind) {
    case BK_READ:
        return miou_block_read(bk.disk, off, buf, size);
    case BK_WRITE:
        return miou_block_write(bk.disk, off, buf, size);
    case BK_ATOMIC_READ:
        return miou_block_atomic_read(bk.disk, off, buf, size);
    default:
        return miou_block_atomic_write(bk.disk, off, buf, size);
    }
}

/* What a read that returned 0 gave must be what the model allows. */
static void bk_check_read(unsigned first, unsigned n, const uint8_t *buf)
{
    for (unsigned j = 0; j < n; j++) {
        uint64_t tag;
        struct bk_model *m = &bk.model[first + j];
        if (bk_identify(buf + j * bk.bs, bk.bs, &tag) != 0) {
            prop_fail(bk.ctx, "block %u read back as no block ever written",
                      first + j);
            return;
        }
        if (!bk_may_hold(m, tag)) {
            prop_fail(bk.ctx,
                      "block %u read back with tag %llx, which no "
                      "completed write left there (%u candidates)",
                      first + j, (unsigned long long)tag, m->n);
            return;
        }
        bk_set(m, tag);
    }
}

/* Update the model with the outcome (rc) of a call; (crashed) says the
 * disk had lost power before the call. */
static void bk_account(enum bk_kind kind, unsigned first, unsigned n,
                       const uint8_t *buf, int rc, int crashed)
{
    int write = kind == BK_WRITE || kind == BK_ATOMIC_WRITE;
    int scheduled = kind == BK_READ || kind == BK_WRITE;
    if (rc == 0 && crashed) {
        prop_fail(bk.ctx, "%s succeeded on a disk without power",
                  bk_names[kind]);
    } else if (rc == 0 && write) {
        for (unsigned j = 0; j < n; j++)
            bk_set(&bk.model[first + j], get64(buf + j * bk.bs));
        bk.written_ok += n;
    } else if (rc == 0) {
        bk_check_read(first, n, buf);
    } else if (rc == MIOU_EIO || (rc == MIOU_ECANCELED && scheduled)) {
        if (rc == MIOU_EIO && !bk.faults.error_ppm && !bk.faults.crash_at_write)
            prop_fail(bk.ctx, "%s: MIOU_EIO from a disk without faults",
                      bk_names[kind]);
        /* Some blocks may have moved, except on a disk without power. */
        for (unsigned j = 0; write && !crashed && j < n; j++)
            bk_maybe(&bk.model[first + j], get64(buf + j * bk.bs));
    } else {
        prop_fail(bk.ctx, "%s returned %s", bk_names[kind], miou_errname(rc));
    }
}

/* One call on a random range; its status. */
static int bk_one(struct bk_worker *w)
{
    enum bk_kind kind = (enum bk_kind)miou_sim_below(BK_KINDS);
    unsigned first = (unsigned)miou_sim_below(bk.region);
    unsigned room = bk.region - first;
    unsigned n =
        (unsigned)prop_between(1, room < BK_OP_BLOCKS ? room : BK_OP_BLOCKS);
    int rc = bk_reserve(first, n);
    if (rc)
        return rc;
    uint8_t *buf = bk.buf[w->index];
    uint64_t op = ++bk.next_op;
    /* Each block written gets a tag of its own, never 0. */
    for (unsigned j = 0; j < n; j++)
        bk_fill(buf + j * bk.bs, bk.bs, (op << 8) + j + 1);
    if (kind == BK_WRITE || kind == BK_ATOMIC_WRITE)
        bk.written_max += n;
    int crashed = miou_sim_block_crashed("disk") == 1;
    w->issued++;
    rc = bk_call(kind, first, buf, n * bk.bs);
    w->returned++;
    bk_account(kind, first, n, buf, rc, crashed);
    bk_release(first, n);
    return rc;
}

static void *bk_worker(void *arg)
{
    struct bk_worker *w = arg;
    for (unsigned i = 0; i < w->ops && !prop_failed(bk.ctx); i++) {
        if (bk_one(w) == MIOU_ECANCELED || miou_cancelled())
            break;
        /* Sometimes let the disk and the others move first. */
        if (prop_chance(30) && miou_sleep(miou_sim_below(40 * US)))
            break;
    }
    return NULL;
}

static int bk_acquire(void)
{
    struct miou_block_info info;
    int rc = miou_block_acquire("disk", &bk.disk, &info);
    if (rc)
        return prop_fail(bk.ctx, "miou_block_acquire: %s", miou_errname(rc));
    bk.bs = (size_t)info.block_size;
    if (bk.bs > BK_MAX_BS || bk.bs % 8 ||
        info.capacity < (uint64_t)BK_REGION * bk.bs)
        return prop_fail(bk.ctx,
                         "a disk of %llu bytes in blocks of %zu: "
                         "use at least 64 blocks of 8 to 4096 bytes",
                         (unsigned long long)info.capacity, bk.bs);
    return 0;
}

static void *bk_main(void *arg)
{
    (void)arg;
    struct miou_stats st;
    if (bk_acquire())
        return NULL;
    for (unsigned i = 0; i < bk.nworkers; i++)
        if ((bk.main_status = miou_async(&bk.w[i].h, bk_worker, &bk.w[i])))
            return NULL;
    if (bk.cancel) {
        miou_sleep(bk.cancel_after);
        bk.main_status = miou_cancel(bk.w[bk.victim].h);
        bk.w[bk.victim].released = 1;
    }
    for (unsigned i = 0; i < bk.nworkers; i++)
        if (!bk.w[i].released && bk.main_status == 0)
            bk.main_status = miou_await(bk.w[i].h, NULL);
    miou_stats(&st);
    bk.waiters_after = st.block_waiters;
    return NULL;
}

static int bk_plan(struct prop_ctx *ctx)
{
    memset(&bk, 0, sizeof bk);
    bk.ctx = ctx;
    miou_mutex_init(&bk.m);
    miou_cond_init(&bk.freed);
    bk.region = (unsigned)prop_between(8, BK_REGION);
    bk.nworkers = (unsigned)prop_between(1, BK_WORKERS);
    for (unsigned i = 0; i < bk.nworkers; i++) {
        bk.w[i].index = i;
        bk.w[i].ops = (unsigned)prop_between(1, BK_OPS);
    }
    bk.faults.latency_min_ns = miou_sim_below(20 * US);
    bk.faults.latency_max_ns =
        bk.faults.latency_min_ns + miou_sim_below(50 * US);
    bk.faults.error_ppm = prop_chance(50) ? (uint32_t)miou_sim_below(50000) : 0;
    bk.faults.crash_at_write = prop_chance(20) ? prop_between(1, 60) : 0;
    bk.cancel = prop_chance(25);
    bk.victim = (unsigned)miou_sim_below(bk.nworkers);
    bk.cancel_after = miou_sim_below(200 * US);
    for (unsigned b = 0; b < BK_REGION; b++)
        bk_set(&bk.model[b], 0); /* the disk starts zeroed each seed */
    if (miou_sim_block_faults("disk", &bk.faults) != 0)
        return prop_fail(ctx, "miou_sim_block_faults refused the faults");
    return 0;
}

/* The disk as the run left it: each touched block one of its model's
 * contents, every other block still zero. */
static int bk_check_image(struct prop_ctx *ctx)
{
    const uint8_t *data;
    uint64_t size, tag;
    if (miou_sim_block_image("disk", &data, &size) != 0)
        return prop_fail(ctx, "miou_sim_block_image: no disk");
    for (unsigned b = 0; b < bk.region; b++)
        if (bk_identify(data + b * bk.bs, bk.bs, &tag) != 0 ||
            !bk_may_hold(&bk.model[b], tag))
            return prop_fail(ctx,
                             "block %u of the image holds what no "
                             "completed write left there",
                             b);
    for (uint64_t i = (uint64_t)bk.region * bk.bs; i < size; i++)
        if (data[i])
            return prop_fail(ctx,
                             "byte %llu of the image, beyond the "
                             "blocks written, is not zero",
                             (unsigned long long)i);
    return 0;
}

/* Each block of a write moved at most once: the disk counted exactly the
 * blocks of the writes that returned 0 when nothing could fail, and at
 * most those of every write otherwise. */
static int bk_check_counts(struct prop_ctx *ctx)
{
    int64_t done = miou_sim_block_writes("disk");
    int exact = !bk.faults.error_ppm && !bk.faults.crash_at_write && !bk.cancel;
    if (done < 0 || (uint64_t)done < bk.written_ok ||
        (uint64_t)done > bk.written_max ||
        (exact && (uint64_t)done != bk.written_ok))
        return prop_fail(ctx,
                         "the disk completed %lld block writes; writes that "
                         "returned 0 hold %llu blocks, all writes %llu",
                         (long long)done, (unsigned long long)bk.written_ok,
                         (unsigned long long)bk.written_max);
    if (bk.faults.crash_at_write && (uint64_t)done >= bk.faults.crash_at_write)
        return prop_fail(ctx,
                         "%lld writes completed on a disk that lost "
                         "power at write %llu",
                         (long long)done,
                         (unsigned long long)bk.faults.crash_at_write);
    return 0;
}

static int block_once(struct prop_ctx *ctx)
{
    if (bk_plan(ctx))
        return -1;
    int rc = miou_run(NULL, bk_main, NULL, NULL);
    if (prop_failed(ctx))
        return -1;
    if (rc != 0 || bk.main_status != 0)
        return prop_fail(ctx, "miou_run %s, the first task %s",
                         miou_errname(rc), miou_errname(bk.main_status));
    for (unsigned i = 0; i < bk.nworkers; i++)
        if (bk.w[i].issued != bk.w[i].returned)
            return prop_fail(ctx, "worker %u made %llu calls, %llu returned", i,
                             (unsigned long long)bk.w[i].issued,
                             (unsigned long long)bk.w[i].returned);
    if (bk.waiters_after)
        return prop_fail(ctx, "%zu tasks still wait for block calls",
                         bk.waiters_after);
    if (bk_check_image(ctx))
        return -1;
    return bk_check_counts(ctx);
}

/* ====================================================================== */
/* net_once                                                                */
/* ====================================================================== */

#define NT_FRAMES 200 /* the peer sends at most that many */
#define NT_WRITES 50  /* the unikernel sends at most that many */
#define NT_READERS 4
#define NT_MIN 60   /* Ethernet's shortest frame, without its CRC */
#define NT_MAX 1514 /* and longest, for an MTU of 1500 */
#define NT_HEAD 30  /* our header: Ethernet, then ours */
#define NT_BUF 2048

/* A frame: Ethernet header (ethertype 0x88b5, for local experiments),
 * then at 14 "PROP", at 18 the direction (0: from the peer), at 20 the
 * frame's length, at 22 its number, at 26 a checksum of the payload,
 * which starts at 30 and depends on all three. */
enum nt_dir { NT_TO_UNIKERNEL, NT_TO_PEER };

static const uint8_t nt_peer_mac[6] = {0x02, 0x70, 0x72, 0x6f, 0x70, 0x01};

static void put16be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32be(uint8_t *p, uint32_t v)
{
    put16be(p, v >> 16);
    put16be(p + 2, v);
}

static uint32_t get32be(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/* FNV-1a over (n) bytes: any change of a byte changes it. */
static uint32_t nt_sum(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void nt_build(uint8_t *f, size_t len, const uint8_t *dst,
                     const uint8_t *src, enum nt_dir dir, uint32_t seq)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    put16be(f + 12, 0x88b5);
    memcpy(f + 14, "PROP", 4);
    f[18] = (uint8_t)dir;
    f[19] = 0;
    put16be(f + 20, (uint32_t)len);
    put32be(f + 22, seq);
    uint64_t x = (uint64_t)seq << 32 | (uint64_t)dir << 16 | len;
    for (size_t i = NT_HEAD; i < len; i++)
        f[i] = (uint8_t)mix64(x + i);
    put32be(f + 26, nt_sum(f + NT_HEAD, len - NT_HEAD));
}

/* Check frame (f) of (len) bytes, sent towards (dir) to (dst): NULL and
 * its number in (*seq), or what is wrong with it. */
static const char *nt_parse(const uint8_t *f, size_t len, enum nt_dir dir,
                            const uint8_t *dst, uint32_t *seq)
{
    if (len < NT_MIN || len > NT_MAX)
        return "a frame of a length never sent";
    if (memcmp(f, dst, 6) != 0 || f[12] != 0x88 || f[13] != 0xb5 ||
        memcmp(f + 14, "PROP", 4) != 0 || f[18] != dir)
        return "a frame with a foreign header";
    if ((size_t)(f[20] << 8 | f[21]) != len)
        return "a frame cut or lengthened";
    if (get32be(f + 26) != nt_sum(f + NT_HEAD, len - NT_HEAD))
        return "a frame whose payload does not match its checksum";
    *seq = get32be(f + 22);
    return NULL;
}

/* The peer: it sends the planned frames at their times and checks what
 * the unikernel sends. Its state is reset at each seed (open). */
static struct {
    struct miou_sim_link *link;
    unsigned k; /* frames to send */
    uint64_t at[NT_FRAMES];
    uint16_t len[NT_FRAMES];
    unsigned next; /* the next to send */
    int done;
    uint64_t done_at;
    unsigned m;              /* frames the unikernel will write */
    unsigned got[NT_WRITES]; /* copies of each received */
    const char *bad;         /* the first thing wrong received */
} np;

static void *np_open(struct miou_sim_link *link, const char *arg)
{
    (void)arg;
    memset(&np, 0, sizeof np);
    np.link = link;
    return &np;
}

static void np_receive(void *state, const uint8_t *frame, size_t len)
{
    (void)state;
    uint32_t seq;
    const char *bad = nt_parse(frame, len, NT_TO_PEER, nt_peer_mac, &seq);
    if (!bad && seq >= np.m)
        bad = "a frame the unikernel never sent";
    if (!bad && ++np.got[seq] > 2)
        bad = "a frame written once received more than twice";
    if (bad && !np.bad)
        np.bad = bad;
}

static void np_wakeup(void *state)
{
    static uint8_t f[NT_MAX];
    (void)state;
    uint64_t now = miou_sim_now();
    for (; np.next < np.k && np.at[np.next] <= now; np.next++) {
        nt_build(f, np.len[np.next], miou_sim_link_mac(np.link), nt_peer_mac,
                 NT_TO_UNIKERNEL, np.next);
        if (miou_sim_link_send(np.link, f, np.len[np.next]) != 0 && !np.bad)
            np.bad = "miou_sim_link_send refused a frame";
    }
    if (np.next < np.k) {
        miou_sim_link_wakeup(np.link, np.at[np.next]);
    } else {
        np.done = 1;
        np.done_at = now;
    }
}

static int np_close(void *state)
{
    (void)state;
    /* The verdict is the property's: it names the seed. */
    return 0;
}

static const struct miou_sim_peer np_peer = {"prop", np_open, np_receive,
                                             np_wakeup, np_close};

static int devices_setup(void)
{
    if (miou_sim_peer_register(&np_peer) != 0 ||
        miou_sim_net_peer("link", &np_peer, NULL) != 0) {
        printf("prop_devices: cannot put the peer on device 'link'\n");
        return -1;
    }
    return 0;
}

/* The unikernel's side. */
static struct {
    struct prop_ctx *ctx;
    miou_net *net;
    struct miou_net_info info;
    struct miou_sim_link_faults faults;
    unsigned nreaders;
    unsigned rx[NT_FRAMES]; /* copies of each frame read */
    uint64_t read_total;
    int reader_status[NT_READERS];
    int writer_status, main_status;
    uint64_t settle; /* the longest a frame may spend in transit */
    uint8_t buf[NT_READERS][NT_BUF];
} nt;

static void nt_take(const uint8_t *f, size_t len)
{
    uint32_t seq;
    const char *bad = nt_parse(f, len, NT_TO_UNIKERNEL, nt.info.mac, &seq);
    if (!bad && seq >= np.k)
        bad = "a frame the peer never sent";
    if (!bad && len != np.len[seq])
        bad = "a frame of another length than sent";
    if (bad) {
        prop_fail(nt.ctx, "read %s (%zu bytes)", bad, len);
        return;
    }
    nt.rx[seq]++;
    nt.read_total++;
}

static void *nt_reader(void *arg)
{
    unsigned i = (unsigned)(uintptr_t)arg;
    for (;;) {
        long n = miou_net_read(nt.net, nt.buf[i], NT_BUF);
        if (n < 0) {
            nt.reader_status[i] = (int)n;
            return NULL;
        }
        nt_take(nt.buf[i], (size_t)n);
    }
}

static void *nt_writer(void *arg)
{
    (void)arg;
    static uint8_t f[NT_MAX];
    size_t max = nt.info.mtu + MIOU_NET_HLEN;
    if (max > NT_MAX)
        max = NT_MAX;
    for (unsigned s = 0; s < np.m; s++) {
        if ((nt.writer_status = miou_sleep(miou_sim_below(500 * US))))
            return NULL;
        size_t len = (size_t)prop_between(NT_MIN, max);
        nt_build(f, len, nt_peer_mac, nt.info.mac, NT_TO_PEER, s);
        if ((nt.writer_status = miou_net_write(nt.net, f, len)))
            return NULL;
    }
    return NULL;
}

/* Whether every frame of the peer has arrived and been read. */
static int nt_all_read(void)
{
    struct miou_sim_link_counts c;
    miou_sim_net_counts("link", &c);
    return np.done && miou_clock_monotonic() >= np.done_at + nt.settle &&
           c.read == c.delivered;
}

/* Sleep until every frame the peer sent has been read, or a second past
 * the time it should have been. */
static int nt_wait_reads(void)
{
    uint64_t give_up = np.at[np.k - 1] + nt.settle + 1000 * MS;
    while (!nt_all_read()) {
        int rc = miou_sleep(prop_between(50 * US, 1 * MS));
        if (rc)
            return rc;
        if (miou_clock_monotonic() > give_up)
            return prop_fail(nt.ctx, "frames delivered were not read");
    }
    return 0;
}

static void *nt_main(void *arg)
{
    (void)arg;
    miou_task *readers[NT_READERS], *writer;
    int rc = miou_net_acquire("link", &nt.net, &nt.info);
    if (rc) {
        prop_fail(nt.ctx, "miou_net_acquire: %s", miou_errname(rc));
        return NULL;
    }
    for (unsigned i = 0; i < nt.nreaders; i++)
        if ((nt.main_status =
                 miou_async(&readers[i], nt_reader, (void *)(uintptr_t)i)))
            return NULL;
    if ((nt.main_status = miou_async(&writer, nt_writer, NULL)))
        return NULL;
    if ((nt.main_status = nt_wait_reads()) ||
        (nt.main_status = miou_await(writer, NULL)) ||
        (nt.main_status = miou_sleep(nt.settle)))
        return NULL; /* the run ends with ECHILDREN: reported */
    for (unsigned i = 0; i < nt.nreaders; i++)
        if ((nt.main_status = miou_cancel(readers[i])))
            return NULL;
    return NULL;
}

/* The peer's frames: numbered in time order, bursts included. */
static void nt_plan_peer(void)
{
    uint64_t t = 1 * US;
    np.k = (unsigned)prop_between(1, NT_FRAMES);
    for (unsigned i = 0; i < np.k; i++) {
        t += prop_chance(20) ? 0 : miou_sim_below(200 * US);
        np.at[i] = t;
        np.len[i] = (uint16_t)prop_between(NT_MIN, NT_MAX);
    }
    np.m = (unsigned)miou_sim_below(NT_WRITES + 1);
}

static int nt_plan(struct prop_ctx *ctx)
{
    memset(&nt, 0, sizeof nt);
    nt.ctx = ctx;
    nt.nreaders = (unsigned)prop_between(1, NT_READERS);
    nt_plan_peer();
    struct miou_sim_link_faults *f = &nt.faults;
    f->delay_min_ns = miou_sim_below(500 * US);
    f->delay_max_ns = f->delay_min_ns + miou_sim_below(2 * MS);
    f->loss_ppm = prop_chance(50) ? (uint32_t)miou_sim_below(100000) : 0;
    f->dup_ppm = prop_chance(50) ? (uint32_t)miou_sim_below(100000) : 0;
    f->reorder_ppm = prop_chance(50) ? (uint32_t)miou_sim_below(200000) : 0;
    /* A frame takes at most its delay plus, reordered, four more. */
    uint64_t span = f->delay_max_ns > US ? f->delay_max_ns : US;
    nt.settle = f->delay_max_ns + 4 * span + 1 * MS;
    if (miou_sim_net_faults("link", f) != 0)
        return prop_fail(ctx, "miou_sim_net_faults refused the faults");
    if (!np.link)
        return prop_fail(ctx, "the peer is not on the link");
    miou_sim_link_wakeup(np.link, np.at[0]);
    return 0;
}

/* The link's counts agree with what the readers took. */
static int nt_check_counts(struct prop_ctx *ctx)
{
    struct miou_sim_link_counts c;
    if (miou_sim_net_counts("link", &c) != 0)
        return prop_fail(ctx, "miou_sim_net_counts: no link");
    if (c.sent != np.k || c.read != c.delivered || c.read != nt.read_total ||
        c.delivered != c.sent - c.lost + c.duplicated)
        return prop_fail(
            ctx,
            "%u frames planned; link: sent %llu, lost %llu, "
            "duplicated %llu, delivered %llu, read %llu; the "
            "readers took %llu",
            np.k, (unsigned long long)c.sent, (unsigned long long)c.lost,
            (unsigned long long)c.duplicated, (unsigned long long)c.delivered,
            (unsigned long long)c.read, (unsigned long long)nt.read_total);
    unsigned twice = 0;
    for (unsigned s = 0; s < np.k; s++) {
        if (nt.rx[s] > 2 || (nt.rx[s] == 0 && !nt.faults.loss_ppm))
            return prop_fail(ctx, "frame %u read %u times", s, nt.rx[s]);
        twice += nt.rx[s] == 2;
    }
    if (twice > c.duplicated)
        return prop_fail(ctx, "%u frames read twice, %llu duplicated", twice,
                         (unsigned long long)c.duplicated);
    return 0;
}

/* What the peer received of the unikernel's frames. */
static int nt_check_peer(struct prop_ctx *ctx)
{
    if (np.bad)
        return prop_fail(ctx, "the peer: %s", np.bad);
    for (unsigned s = 0; s < np.m; s++)
        if (np.got[s] == 0 && !nt.faults.loss_ppm)
            return prop_fail(ctx, "frame %u written, never received", s);
    return 0;
}

static int net_once(struct prop_ctx *ctx)
{
    if (nt_plan(ctx))
        return -1;
    int rc = miou_run(NULL, nt_main, NULL, NULL);
    if (prop_failed(ctx))
        return -1;
    if (rc != 0 || nt.main_status != 0 || nt.writer_status != 0)
        return prop_fail(ctx,
                         "miou_run %s, the first task %s, the writer "
                         "%s",
                         miou_errname(rc), miou_errname(nt.main_status),
                         miou_errname(nt.writer_status));
    for (unsigned i = 0; i < nt.nreaders; i++)
        if (nt.reader_status[i] != MIOU_ECANCELED)
            return prop_fail(ctx, "reader %u ended with %s", i,
                             miou_errname(nt.reader_status[i]));
    if (nt_check_counts(ctx))
        return -1;
    return nt_check_peer(ctx);
}

const struct prop prop_table[] = {
    {"block_once",
     "block calls return once, reads and the disk hold what writes left",
     block_once},
    {"net_once",
     "each frame copy is read at most once, intact, and only if sent",
     net_once},
};
const size_t prop_count = sizeof prop_table / sizeof prop_table[0];
