/*
 * heap.c - the heap of include/miou_heap.h: a two-level segregated fit
 * (TLSF) allocator laid over one region of memory.
 *
 * The region, once miou_heap_init() has laid a heap over it:
 *
 *   mem, rounded up to 16 bytes
 *   | struct miou_heap            counters, bitmaps, then the heads of
 *   |                             fl_count * 32 free lists
 *   | first block ... last block  every byte in exactly one block
 *   | sentinel header             16 bytes: a block of size 0, in use
 *   '-- unused: the tail below a 16-byte boundary, and what lies past
 *       the largest block size the headers can describe
 *
 * A block (every block starts on a 16-byte boundary and its size is a
 * multiple of 16, so every payload is 16-aligned):
 *
 *   +0   prev_size   size of the block just before it; 0 for the first
 *   +8   size|bits   its own size in bytes, header included; the low 4
 *                    bits, which a multiple of 16 leaves clear, hold the
 *                    "free" bit (bit 0) and a fixed tag (bits 1-3) that
 *                    helps tell a header from stray bytes
 *   +16  payload     what the caller gets
 *
 * A free block keeps two pointers at the start of its payload, its
 * neighbours in the list of its size class; so the smallest block is 32
 * bytes. Both header words are always valid, for used and free blocks
 * alike: they never overlap a payload, so the sanitizers can keep every
 * header out of the caller's reach, and free() can check a pointer
 * against both of its neighbours.
 *
 * Size classes (on block sizes, header included): sizes below 512 go to
 * first level 0 in 32 classes 16 bytes apart; a size in [2^k, 2^(k+1))
 * for k >= 9 goes to first level k - 8, split into 32 classes of
 * 2^(k-5) bytes. fl_map has bit f set when some list of first level f is
 * non-empty, sl_map[f] bit s when list (f, s) is. A request is rounded up
 * to the next class boundary before the search, so that any block of the
 * class found fits: the search is two find-first-set instructions and no
 * walk. There are only as many first levels as the region needs, so the
 * bookkeeping grows with the log of the region (about 4 KiB for a few
 * MiB, 10 KiB at most).
 *
 * Invariants (miou_heap_check() verifies them): blocks tile the region
 * from first to the sentinel; each prev_size is the size of the block
 * before; no two free blocks are adjacent (a freed block merges with its
 * free neighbours at once); a block is in a free list iff its free bit is
 * set, and in the list of its class; the bitmaps say which lists are
 * non-empty; the counters match the blocks.
 *
 * Sanitizers. With AddressSanitizer the whole region is poisoned at init
 * and only the bytes asked for are unpoisoned for the caller; the
 * functions here read headers and links without instrumentation
 * (UNSANITIZED). Under valgrind (hosted builds, when memcheck.h exists),
 * each block handed out is a malloc-like block of its usable size, so
 * that memcheck reports blocks never freed as leaks; free blocks'
 * payloads are no-access, so that a use after free shows, and the links
 * in them are opened only while this code reads or writes them. Headers
 * stay addressable to valgrind, and the bytes past a request up to the
 * usable size too: overruns there are ASan's to catch (and free()'s
 * header checks). A memcheck mempool would let a new heap forget the
 * blocks of an old one, but memcheck (3.19) skips its leak check when no
 * malloc block is live, and mempool chunks alone would never be
 * checked.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <miou_heap.h>
#include <solo5.h>

/* ---- Sanitizer hooks: all expand to nothing in a plain build. */

#if defined(__SANITIZE_ADDRESS__)
#define HEAP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEAP_ASAN 1
#endif
#endif

#ifdef HEAP_ASAN
#include <sanitizer/asan_interface.h>
/* Code that reads headers and free-list links, which stay poisoned. */
#define UNSANITIZED __attribute__((no_sanitize_address))
#define ASAN_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define ASAN_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define UNSANITIZED
#define ASAN_POISON(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>) && !defined(MIOU_NO_VALGRIND)
#include <valgrind/memcheck.h>
#define HEAP_VALGRIND 1
#endif
#endif

/* ---- Constants. */

#define ALIGN_LOG2 4
#define ALIGN ((size_t)1 << ALIGN_LOG2) /* of every block and payload */
#define HDR ALIGN                       /* header bytes before a payload */
#define MIN_BLOCK (2 * ALIGN)           /* a header and two links */

#define SL_LOG2 5 /* 32 classes per power of two: waste <= 1/32 */
#define SL_COUNT (1u << SL_LOG2)
#define FL_SHIFT (SL_LOG2 + ALIGN_LOG2) /* sizes below 2^9: first level 0 */

/* Block sizes stay below 2^MAX_LOG2: the first levels then fit in one
 * 64-bit map, and 2^47 exceeds any memory a unikernel is given. */
#if SIZE_MAX > 0xffffffffu
#define MAX_LOG2 47
#else
#define MAX_LOG2 31
#endif
#define MAX_BLOCK (((size_t)1 << MAX_LOG2) - ALIGN)
#define FL_MAX (MAX_LOG2 - FL_SHIFT + 1)

#define FREE_BIT ((size_t)1)
#define TAG_BITS ((size_t)0xa) /* bits 1 and 3 set, bit 2 clear */
#define LOW_BITS (ALIGN - 1)

_Static_assert(HDR == MIOU_HEAP_ALIGN, "payloads must be MIOU_HEAP_ALIGN");
_Static_assert(FL_MAX <= 64, "the first-level map is 64 bits");

/* ---- Data. */

/* The header of a block; next_free and prev_free exist only in free
 * blocks (they are the first bytes of the payload). may_alias: the
 * region is usually an array of bytes. */
struct __attribute__((may_alias)) block {
    size_t prev_size;
    size_t size_bits;
#if SIZE_MAX <= 0xffffffffu
    size_t pad[2]; /* the header stays 16 bytes */
#endif
    struct block *next_free;
    struct block *prev_free;
};

_Static_assert(offsetof(struct block, next_free) == HDR,
               "links start the payload");
_Static_assert(sizeof(struct block) <= MIN_BLOCK, "a free block fits");

struct miou_heap {
    struct block *first; /* the first block */
    struct block *end;   /* the sentinel header after the last block */
    size_t capacity;     /* bytes from first to end */
    size_t free_bytes;   /* bytes in free blocks, headers included */
    size_t blocks_free;  /* free blocks (all of them are listed) */
    size_t blocks_used;  /* blocks handed out */
    unsigned fl_count;   /* first levels in use: heads has 32 x that */
    int valgrind;        /* 1 when running under valgrind */
    uint64_t fl_map;     /* bit f: some list of first level f is non-empty */
    uint32_t sl_map[FL_MAX]; /* bit s of [f]: list (f, s) is non-empty */
    struct block *heads[];   /* list (f, s) is heads[f * SL_COUNT + s] */
};

/* ---- Valgrind: each call is a no-op outside valgrind or in other
 * builds; the flag spares native runs the client requests. */

#ifdef HEAP_VALGRIND
#define VG(h, request)                                                         \
    do {                                                                       \
        if ((h)->valgrind) {                                                   \
            request;                                                           \
        }                                                                      \
    } while (0)
#else
#define VG(h, request) ((void)(h))
#endif

/* ---- Bits. */

static unsigned fls_size(size_t x) /* index of the highest set bit, x > 0 */
{
    return 63u - (unsigned)__builtin_clzll((unsigned long long)x);
}

static unsigned ffs64(uint64_t x) /* index of the lowest set bit, x > 0 */
{
    return (unsigned)__builtin_ctzll(x);
}

static unsigned ffs32(uint32_t x)
{
    return (unsigned)__builtin_ctz(x);
}

static size_t round_up(size_t x, size_t align)
{
    return (x + align - 1) & ~(align - 1);
}

/* ---- Block accessors. */

UNSANITIZED static size_t block_size(const struct block *b)
{
    return b->size_bits & ~LOW_BITS;
}

UNSANITIZED static int block_is_free(const struct block *b)
{
    return (b->size_bits & FREE_BIT) != 0;
}

UNSANITIZED static void set_size(struct block *b, size_t size)
{
    b->size_bits = size | (b->size_bits & FREE_BIT) | TAG_BITS;
}

UNSANITIZED static void set_free(struct block *b, int is_free)
{
    b->size_bits = block_size(b) | (is_free ? FREE_BIT : 0) | TAG_BITS;
}

static struct block *block_at(void *p, size_t offset)
{
    return (struct block *)((char *)p + offset);
}

UNSANITIZED static struct block *next_block(const struct block *b)
{
    return block_at((void *)b, block_size(b));
}

UNSANITIZED static struct block *prev_block(const struct block *b)
{
    return (struct block *)((char *)b - b->prev_size);
}

static void *payload(struct block *b)
{
    return (char *)b + HDR;
}

UNSANITIZED static size_t usable(const struct block *b)
{
    return block_size(b) - HDR;
}

/* Write a fresh header at (b), which may lie in the middle of what was a
 * payload; a new block is in use until it is released. */
UNSANITIZED static void new_header(const miou_heap *h, struct block *b,
                                   size_t size, size_t prev_size)
{
    VG(h, VALGRIND_MAKE_MEM_DEFINED(b, HDR));
    b->prev_size = prev_size;
    b->size_bits = size | TAG_BITS;
}

/* ---- Size classes. */

/* The class whose range holds (size). */
static void class_of(size_t size, unsigned *fl, unsigned *sl)
{
    if (size < ((size_t)1 << FL_SHIFT)) {
        *fl = 0;
        *sl = (unsigned)(size >> ALIGN_LOG2);
    } else {
        unsigned k = fls_size(size);
        *fl = k - FL_SHIFT + 1;
        *sl = (unsigned)(size >> (k - SL_LOG2)) - SL_COUNT;
    }
}

/* The first class whose every block holds (size): (size) rounded up to
 * the next class boundary. A first level past fl_count means none. */
static void class_above(size_t size, unsigned *fl, unsigned *sl)
{
    if (size >= ((size_t)1 << FL_SHIFT))
        size += ((size_t)1 << (fls_size(size) - SL_LOG2)) - 1;
    class_of(size, fl, sl);
}

/* The block size that serves a request of (n) bytes, or 0 when no block
 * can be that large. */
static size_t block_size_for(size_t n)
{
    size_t size;
    if (n > MAX_BLOCK - HDR)
        return 0;
    size = round_up(n, ALIGN) + HDR;
    return size < MIN_BLOCK ? MIN_BLOCK : size;
}

/* ---- Free lists. The links of a free block are no-access to valgrind
 * between two uses, so that a use after free shows. */

UNSANITIZED static struct block *link_get(const miou_heap *h,
                                          struct block *const *link)
{
    struct block *v;
    VG(h, VALGRIND_MAKE_MEM_DEFINED(link, sizeof *link));
    v = *link;
    VG(h, VALGRIND_MAKE_MEM_NOACCESS(link, sizeof *link));
    return v;
}

UNSANITIZED static void link_set(const miou_heap *h, struct block **link,
                                 struct block *v)
{
    VG(h, VALGRIND_MAKE_MEM_UNDEFINED(link, sizeof *link));
    *link = v;
    VG(h, VALGRIND_MAKE_MEM_NOACCESS(link, sizeof *link));
}

UNSANITIZED static struct block **head_of(miou_heap *h, unsigned fl,
                                          unsigned sl)
{
    return &h->heads[fl * SL_COUNT + sl];
}

/* File the free block (b) in the list of its class. */
UNSANITIZED static void list_push(miou_heap *h, struct block *b)
{
    unsigned fl, sl;
    struct block **head, *old;
    class_of(block_size(b), &fl, &sl);
    head = head_of(h, fl, sl);
    old = *head;
    /* A free payload is out of bounds to valgrind, links included. */
    VG(h, VALGRIND_MAKE_MEM_NOACCESS(payload(b), usable(b)));
    link_set(h, &b->next_free, old);
    link_set(h, &b->prev_free, NULL);
    if (old)
        link_set(h, &old->prev_free, b);
    *head = b;
    h->sl_map[fl] |= (uint32_t)1 << sl;
    h->fl_map |= (uint64_t)1 << fl;
    h->free_bytes += block_size(b);
    h->blocks_free++;
}

/* Take the free block (b) out of its list. */
UNSANITIZED static void list_remove(miou_heap *h, struct block *b)
{
    struct block *next = link_get(h, &b->next_free);
    struct block *prev = link_get(h, &b->prev_free);
    if (next)
        link_set(h, &next->prev_free, prev);
    if (prev) {
        link_set(h, &prev->next_free, next);
    } else {
        unsigned fl, sl;
        class_of(block_size(b), &fl, &sl);
        *head_of(h, fl, sl) = next;
        if (!next) {
            h->sl_map[fl] &= ~((uint32_t)1 << sl);
            if (!h->sl_map[fl])
                h->fl_map &= ~((uint64_t)1 << fl);
        }
    }
    h->free_bytes -= block_size(b);
    h->blocks_free--;
}

/* The head of the first non-empty list of class (fl, sl) or above. */
UNSANITIZED static struct block *first_at_or_above(miou_heap *h, unsigned fl,
                                                   unsigned sl)
{
    uint32_t sl_bits = h->sl_map[fl] & (~(uint32_t)0 << sl);
    if (!sl_bits) {
        uint64_t fl_bits = h->fl_map & (~(uint64_t)0 << (fl + 1));
        if (!fl_bits)
            return NULL;
        fl = ffs64(fl_bits);
        sl_bits = h->sl_map[fl];
    }
    return *head_of(h, fl, ffs32(sl_bits));
}

/* A free block of at least (size) bytes, still listed, or NULL. The
 * rounded-up search finds one whenever a class above (size)'s own holds
 * one; failing that, the head of (size)'s own class may still be large
 * enough (the one free block of a fresh heap is, for any request up to
 * its size), and looking at it costs one compare. */
UNSANITIZED static struct block *find_fit(miou_heap *h, size_t size)
{
    unsigned fl, sl;
    struct block *b;
    class_above(size, &fl, &sl);
    if (fl < h->fl_count && (b = first_at_or_above(h, fl, sl)) != NULL)
        return b;
    class_of(size, &fl, &sl);
    if (fl < h->fl_count && (b = *head_of(h, fl, sl)) != NULL &&
        block_size(b) >= size)
        return b;
    return NULL;
}

/* ---- Splitting and merging. */

/* Cut (b) at (size): (b) keeps the first (size) bytes, the rest becomes
 * a new block in use, returned. */
UNSANITIZED static struct block *split(miou_heap *h, struct block *b,
                                       size_t size)
{
    size_t rest = block_size(b) - size;
    struct block *r = block_at(b, size);
    new_header(h, r, rest, size);
    next_block(r)->prev_size = rest;
    set_size(b, size);
    return r;
}

/* Make the unlisted block (b) free: merge it with its free neighbours and
 * file the result. Its own header keeps the free bit even when it merges
 * into the block before, so that freeing it again reads as a double
 * free. */
UNSANITIZED static void release(miou_heap *h, struct block *b)
{
    struct block *next;
    set_free(b, 1);
    if (b->prev_size && block_is_free(prev_block(b))) {
        struct block *prev = prev_block(b);
        list_remove(h, prev);
        set_size(prev, block_size(prev) + block_size(b));
        b = prev;
    }
    next = next_block(b);
    if (block_is_free(next)) {
        list_remove(h, next);
        set_size(b, block_size(b) + block_size(next));
    }
    next_block(b)->prev_size = block_size(b);
    list_push(h, b);
}

/* The size of the block (b) once trimmed to (size): (size) when the rest
 * makes a block of its own, else its whole size. */
UNSANITIZED static size_t trimmed_size(const struct block *b, size_t size)
{
    return block_size(b) - size >= MIN_BLOCK ? size : block_size(b);
}

/* Give back the bytes of the used block (b) past (size), when they make a
 * block of their own. */
UNSANITIZED static void trim(miou_heap *h, struct block *b, size_t size)
{
    if (block_size(b) - size >= MIN_BLOCK)
        release(h, split(h, b, size));
}

/* Hand out the unlisted free block (b), cut to (size) bytes. */
UNSANITIZED static void take(miou_heap *h, struct block *b, size_t size)
{
    set_free(b, 0);
    trim(h, b, size);
    h->blocks_used++;
}

/* The payload of the block just taken, opened to the caller for (n)
 * bytes. */
UNSANITIZED static void *hand_out(miou_heap *h, struct block *b, size_t n)
{
    void *p = payload(b);
    VG(h, VALGRIND_MALLOCLIKE_BLOCK(p, usable(b), 0, 0));
    ASAN_UNPOISON(p, n);
    return p;
}

/* ---- Fatal errors, formatted by hand: there may be no printf. */

static size_t put_str(char *buf, size_t len, size_t cap, const char *s)
{
    while (*s && len < cap)
        buf[len++] = *s++;
    return len;
}

static size_t put_hex(char *buf, size_t len, size_t cap, uintptr_t v)
{
    char digits[2 * sizeof v];
    size_t n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v & 0xf];
        v >>= 4;
    } while (v);
    len = put_str(buf, len, cap, "0x");
    while (n && len < cap)
        buf[len++] = digits[--n];
    return len;
}

/* "miou heap: fatal: <op> <what> (0x...)", then the platform's abort. */
__attribute__((noreturn)) static void fatal(const char *op, const char *what,
                                            const void *p)
{
    char buf[160];
    size_t len = put_str(buf, 0, sizeof buf, "miou heap: fatal: ");
    len = put_str(buf, len, sizeof buf, op);
    len = put_str(buf, len, sizeof buf, what);
    len = put_str(buf, len, sizeof buf, " (");
    len = put_hex(buf, len, sizeof buf, (uintptr_t)p);
    len = put_str(buf, len, sizeof buf, ")\n");
    solo5_console_write(buf, len);
    solo5_abort();
}

/* 1 when the tag bits of (b) are those of a header. */
UNSANITIZED static int tagged(const struct block *b)
{
    return (b->size_bits & (LOW_BITS & ~FREE_BIT)) == TAG_BITS;
}

/* 1 when (b), a header inside the heap, is the size its next block says
 * and the one before says it is: the shape of a real header. */
UNSANITIZED static int header_fits(const miou_heap *h, const struct block *b)
{
    uintptr_t a = (uintptr_t)b, first = (uintptr_t)h->first;
    size_t size = block_size(b), prev = b->prev_size;
    if (size < MIN_BLOCK || size > (uintptr_t)h->end - a ||
        next_block(b)->prev_size != size)
        return 0;
    if (prev == 0)
        return a == first;
    return prev % ALIGN == 0 && prev <= a - first &&
           block_size(prev_block(b)) == prev;
}

/* The block of (p), a pointer the caller says is allocated; anything else
 * stops the program, naming the operation (op). The free bit is read
 * before the shape: a block freed and merged into the free block before
 * it keeps its old header, free bit set, which no longer fits its
 * neighbours but still tells a double free, until the space is used
 * again. */
UNSANITIZED static struct block *checked_block(const miou_heap *h,
                                               const void *p, const char *op)
{
    static const char foreign[] = " of a pointer that is not an allocated "
                                  "block, or whose header was overwritten";
    uintptr_t a = (uintptr_t)p;
    const struct block *b;
    if (a % ALIGN || a < (uintptr_t)h->first + HDR || a >= (uintptr_t)h->end)
        fatal(op, " of a pointer that is not an allocated block", p);
    b = (const struct block *)(a - HDR);
    if (!tagged(b))
        fatal(op, foreign, p);
    if (block_is_free(b))
        fatal(op, " of a block already freed", p);
    if (!header_fits(h, b))
        fatal(op, foreign, p);
    return (struct block *)b;
}

/* ---- The interface. */

/* How many first levels a region of (avail) bytes can use. */
static unsigned fl_count_for(size_t avail)
{
    unsigned fl, sl;
    if (avail > MAX_BLOCK)
        avail = MAX_BLOCK;
    class_of(avail < MIN_BLOCK ? MIN_BLOCK : avail, &fl, &sl);
    return fl + 1;
}

/* Open the (avail) bytes at (start) for a new heap, whatever a heap laid
 * there before left out of bounds. (Blocks of an earlier heap still
 * allocated stay known to valgrind: there is no call to forget them.) */
UNSANITIZED static void sanitizers_reset(void *start, size_t avail)
{
#ifdef HEAP_VALGRIND
    if (RUNNING_ON_VALGRIND)
        VALGRIND_MAKE_MEM_UNDEFINED(start, avail);
#endif
    ASAN_UNPOISON(start, avail);
}

/* Start the sanitizers' view of the fresh heap (h): everything is out of
 * bounds until handed out. For ASan that includes the control structure,
 * which the code here reads unsanitized; for valgrind only the blocks,
 * as valgrind would see the reads of the control structure as errors. */
UNSANITIZED static void sanitizers_init(miou_heap *h, void *start, size_t avail)
{
#ifdef HEAP_VALGRIND
    h->valgrind = RUNNING_ON_VALGRIND ? 1 : 0;
#endif
    VG(h, VALGRIND_MAKE_MEM_NOACCESS(
              h->first, (size_t)((char *)h->end - (char *)h->first)));
    ASAN_POISON(start, avail);
}

UNSANITIZED miou_heap *miou_heap_init(void *mem, size_t size)
{
    uintptr_t start, end;
    size_t avail, ctrl, total;
    unsigned fl_count;
    miou_heap *h;
    if (!mem || size < ALIGN)
        return NULL;
    start = round_up((uintptr_t)mem, ALIGN);
    end = (uintptr_t)mem + size < (uintptr_t)mem ? UINTPTR_MAX
                                                 : (uintptr_t)mem + size;
    end &= ~(uintptr_t)(ALIGN - 1);
    if (end <= start)
        return NULL;
    avail = end - start;
    fl_count = fl_count_for(avail);
    ctrl = round_up(offsetof(struct miou_heap, heads) +
                        fl_count * SL_COUNT * sizeof(struct block *),
                    ALIGN);
    if (avail < ctrl + MIN_BLOCK + HDR)
        return NULL;
    total = avail - ctrl - HDR;
    if (total > MAX_BLOCK)
        total = MAX_BLOCK;

    sanitizers_reset((void *)start, avail);
    h = (miou_heap *)start;
    memset(h, 0, ctrl);
    h->first = block_at(h, ctrl);
    h->end = block_at(h->first, total);
    h->capacity = total;
    h->fl_count = fl_count;
    sanitizers_init(h, (void *)start, avail);

    new_header(h, h->first, total, 0);
    new_header(h, h->end, 0, total); /* the sentinel: size 0, in use */
    release(h, h->first);
    return h;
}

UNSANITIZED void *miou_heap_alloc(miou_heap *h, size_t n)
{
    size_t size = block_size_for(n);
    struct block *b;
    if (!size || (b = find_fit(h, size)) == NULL)
        return NULL;
    list_remove(h, b);
    take(h, b, size);
    return hand_out(h, b, n);
}

/* The bytes from the payload of (b) to the first payload aligned to
 * (align) that leaves room for a free block before it (0, or at least
 * MIN_BLOCK): at most align + MIN_BLOCK - ALIGN. */
static size_t align_gap(struct block *b, size_t align)
{
    uintptr_t p = (uintptr_t)payload(b);
    uintptr_t q = round_up(p, align);
    if (q != p && q - p < MIN_BLOCK)
        q = round_up(p + MIN_BLOCK, align);
    return q - p;
}

UNSANITIZED void *miou_heap_aligned_alloc(miou_heap *h, size_t align, size_t n)
{
    size_t size = block_size_for(n), gap;
    struct block *b;
    if (align == 0 || (align & (align - 1)) != 0)
        return NULL;
    if (align <= ALIGN)
        return miou_heap_alloc(h, n);
    /* Room for the worst gap, so that the search stays one lookup. */
    if (!size || align > MAX_BLOCK || size > MAX_BLOCK - align - MIN_BLOCK)
        return NULL;
    b = find_fit(h, size + align + MIN_BLOCK);
    if (!b)
        return NULL;
    list_remove(h, b);
    gap = align_gap(b, align);
    if (gap) {
        /* The gap becomes a free block: the one before it is in use, as
         * free blocks are never adjacent, so it merges with nothing. */
        struct block *a = split(h, b, gap);
        release(h, b);
        b = a;
    }
    take(h, b, size);
    return hand_out(h, b, n);
}

/* Grow the used block (b) to (size) bytes over its free next block, if
 * there is one large enough. */
UNSANITIZED static int grow_in_place(miou_heap *h, struct block *b, size_t size)
{
    struct block *next = next_block(b);
    if (!block_is_free(next) || block_size(b) + block_size(next) < size)
        return 0;
    list_remove(h, next);
    set_size(b, block_size(b) + block_size(next));
    next_block(b)->prev_size = block_size(b);
    trim(h, b, size);
    return 1;
}

/* Tell the sanitizers that the block at (p) now holds (n) bytes, (from)
 * usable bytes before and (to) after. Valgrind opens or closes the bytes
 * between from and to itself. */
UNSANITIZED static void resized(miou_heap *h, void *p, size_t from, size_t to,
                                size_t n)
{
    if (to != from)
        VG(h, VALGRIND_RESIZEINPLACE_BLOCK(p, from, to, 0));
    ASAN_POISON(p, to > from ? to : from);
    ASAN_UNPOISON(p, n);
}

/* Free the used block (b) of payload (p). */
UNSANITIZED static void give_back(miou_heap *h, struct block *b, void *p)
{
    VG(h, VALGRIND_FREELIKE_BLOCK(p, 0));
    ASAN_POISON(p, usable(b));
    h->blocks_used--;
    release(h, b);
}

UNSANITIZED void *miou_heap_realloc(miou_heap *h, void *p, size_t n)
{
    struct block *b;
    size_t size, from, copy;
    void *q;
    if (!p)
        return miou_heap_alloc(h, n);
    b = checked_block(h, p, "realloc");
    if (n == 0) {
        give_back(h, b, p);
        return NULL;
    }
    size = block_size_for(n);
    if (!size)
        return NULL;
    from = usable(b);
    if (size <= block_size(b)) {
        /* Before the cut: valgrind makes what leaves the block no-access,
         * and the new free block's header must stay open. */
        resized(h, p, from, trimmed_size(b, size) - HDR, n);
        trim(h, b, size);
        return p;
    }
    if (grow_in_place(h, b, size)) {
        resized(h, p, from, usable(b), n);
        return p;
    }
    q = miou_heap_alloc(h, n);
    if (!q)
        return NULL;
    /* The whole old payload is read; only its first bytes were open. */
    ASAN_UNPOISON(p, from);
    copy = from < n ? from : n;
    memcpy(q, p, copy);
    give_back(h, b, p);
    return q;
}

UNSANITIZED void miou_heap_free(miou_heap *h, void *p)
{
    if (p)
        give_back(h, checked_block(h, p, "free"), p);
}

UNSANITIZED size_t miou_heap_usable_size(const miou_heap *h, const void *p)
{
    return usable(checked_block(h, p, "usable_size"));
}

/* Payload bytes of the largest block in the highest non-empty list. */
UNSANITIZED static size_t largest_free(const miou_heap *h)
{
    unsigned fl, sl;
    struct block *b;
    size_t best = 0;
    if (!h->fl_map)
        return 0;
    fl = fls_size((size_t)h->fl_map);
    sl = fls_size(h->sl_map[fl]);
    for (b = h->heads[fl * SL_COUNT + sl]; b; b = link_get(h, &b->next_free))
        if (block_size(b) > best)
            best = block_size(b);
    return best - HDR;
}

UNSANITIZED void miou_heap_stats(const miou_heap *h, struct miou_heap_stats *st)
{
    st->capacity = h->capacity;
    st->free = h->free_bytes;
    st->used = h->capacity - h->free_bytes;
    st->largest_free = largest_free(h);
    st->blocks_used = h->blocks_used;
    st->blocks_free = h->blocks_free;
}

/* ---- miou_heap_check(). */

struct walk {
    size_t free_bytes, blocks_free, blocks_used;
};

/* Walk the blocks in address order; 0 when they tile the heap. */
UNSANITIZED static int check_blocks(const miou_heap *h, struct walk *w)
{
    const struct block *b = h->first;
    size_t prev = 0;
    int prev_free = 0;
    while (b != h->end) {
        size_t size = block_size(b);
        if (!tagged(b) || b->prev_size != prev || size < MIN_BLOCK ||
            size > (size_t)((const char *)h->end - (const char *)b))
            return -1;
        if (block_is_free(b)) {
            if (prev_free)
                return -1; /* two free blocks side by side */
            w->free_bytes += size;
            w->blocks_free++;
        } else {
            w->blocks_used++;
        }
        prev_free = block_is_free(b);
        prev = size;
        b = next_block(b);
    }
    if (b->size_bits != TAG_BITS || b->prev_size != prev)
        return -1;
    return 0;
}

/* 1 when (b) may point at a block header of the heap. */
UNSANITIZED static int inside(const miou_heap *h, const struct block *b)
{
    uintptr_t a = (uintptr_t)b;
    return a % ALIGN == 0 && a >= (uintptr_t)h->first && a < (uintptr_t)h->end;
}

/* Walk list (fl, sl): every element free, of that class, linked both
 * ways; at most (max) of them. The count, or -1. */
UNSANITIZED static long check_list(const miou_heap *h, unsigned fl, unsigned sl,
                                   size_t max)
{
    struct block *b = h->heads[fl * SL_COUNT + sl], *prev = NULL;
    long n = 0;
    for (; b; prev = b, b = link_get(h, &b->next_free)) {
        unsigned f, s;
        if ((size_t)n++ == max || !inside(h, b) || !block_is_free(b) ||
            link_get(h, &b->prev_free) != prev)
            return -1;
        class_of(block_size(b), &f, &s);
        if (f != fl || s != sl)
            return -1;
    }
    return n;
}

/* Walk every list and both bitmaps; 0 when they list (blocks_free). */
UNSANITIZED static int check_lists(const miou_heap *h, size_t blocks_free)
{
    size_t listed = 0;
    unsigned fl, sl;
    for (fl = 0; fl < FL_MAX; fl++) {
        int has_bits = (h->fl_map >> fl) & 1;
        if (fl >= h->fl_count) {
            if (has_bits || h->sl_map[fl])
                return -1;
            continue;
        }
        if (has_bits != (h->sl_map[fl] != 0))
            return -1;
        for (sl = 0; sl < SL_COUNT; sl++) {
            long n = check_list(h, fl, sl, blocks_free - listed);
            if (n < 0 || ((h->sl_map[fl] >> sl) & 1) != (n > 0))
                return -1;
            listed += (size_t)n;
        }
    }
    return listed == blocks_free ? 0 : -1;
}

UNSANITIZED int miou_heap_check(const miou_heap *h)
{
    struct walk w = {0, 0, 0};
    if (check_blocks(h, &w) != 0)
        return -1;
    if (w.free_bytes != h->free_bytes || w.blocks_free != h->blocks_free ||
        w.blocks_used != h->blocks_used)
        return -1;
    return check_lists(h, w.blocks_free);
}
