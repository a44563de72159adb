/*
 * stack.c - task stacks: allocation, a pool for reuse, overflow canaries,
 * and registration with valgrind.
 *
 * Solo5 has no MMU control, so there are no guard pages: a canary sits
 * below each stack and is checked at every switch away from the task, all
 * of it when the task ends. A damaged canary is fatal, with the task's
 * name. See struct miou__stack for the layout.
 */

#include "internal.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>) && !defined(MIOU_NO_VALGRIND)
#include <valgrind/valgrind.h>
#define HAVE_VALGRIND 1
#endif
#endif

#ifdef MIOU_ASAN
#include <sanitizer/asan_interface.h>
/* Instrumented frames and the sanitizer's own handlers need far more
 * stack than the user's code does in a normal build. */
#define ASAN_EXTRA (32u * 1024u)
#else
#define ASAN_EXTRA 0u
#endif

#define CANARY MIOU__CANARY
#define CANARY_WORDS MIOU__CANARY_WORDS

/* The bytes stack_new() asked of the heap for (st). */
static size_t stack_bytes(const struct miou__stack *st)
{
    return MIOU__CANARY_BYTES + st->size + sizeof(struct miou__stack);
}

size_t miou__stack_kept_bytes(const struct miou__sched *s)
{
    size_t bytes = s->dead_stack ? stack_bytes(s->dead_stack) : 0;
    for (int i = 0; i < STACK_CLASSES; i++)
        for (const struct miou__stack *st = s->pool[i].head; st; st = st->next)
            bytes += stack_bytes(st);
    return bytes;
}

static struct miou__stack *stack_new(size_t size)
{
    size += ASAN_EXTRA;
    if (size > SIZE_MAX - MIOU__CANARY_BYTES - sizeof(struct miou__stack))
        return NULL;
    char *block =
        miou__mem_alloc(MIOU__CANARY_BYTES + size + sizeof(struct miou__stack));
    if (!block)
        return NULL;
    char *lo = block + MIOU__CANARY_BYTES;
    struct miou__stack *st = (struct miou__stack *)(lo + size);
    st->size = size;
    st->next = NULL;
    st->dirty = 0;
    uint64_t *canary = miou__stack_canary(st);
    for (size_t i = 0; i < CANARY_WORDS; i++)
        canary[i] = CANARY;
#ifdef HAVE_VALGRIND
    st->valgrind_id = VALGRIND_STACK_REGISTER(lo, lo + size);
#else
    st->valgrind_id = 0;
#endif
    return st;
}

static void stack_delete(struct miou__stack *st)
{
    char *lo = miou__stack_lo(st);
#ifdef MIOU_ASAN
    __asan_unpoison_memory_region(lo, st->size);
#endif
#ifdef HAVE_VALGRIND
    VALGRIND_STACK_DEREGISTER(st->valgrind_id);
#endif
    miou__mem_free(lo - MIOU__CANARY_BYTES);
}

/* The pool of stacks of (size); with (create), a free pool becomes it.
 * A program spawns most tasks with one size: the class used last is
 * tried first, one comparison. */
static struct stack_class *class_of(struct miou__sched *s, size_t size,
                                    int create)
{
    if (miou__likely(s->hot_class && s->hot_class->size == size))
        return s->hot_class;
    for (int i = 0; i < STACK_CLASSES; i++)
        if (s->pool[i].size == size)
            return s->hot_class = &s->pool[i];
    if (!create)
        return NULL;
    for (int i = 0; i < STACK_CLASSES; i++)
        if (s->pool[i].count == 0) {
            s->pool[i].size = size;
            return s->hot_class = &s->pool[i];
        }
    return NULL;
}

struct miou__stack *miou__stack_get(struct miou__sched *s, size_t size)
{
    struct stack_class *c = class_of(s, size + ASAN_EXTRA, 0);
    struct miou__stack *st;
    if (c && c->head) {
        st = c->head;
        c->head = st->next;
        c->count--;
    } else {
        st = stack_new(size);
        if (st && s->measure_stacks)
            miou__stack_paint(st, SIZE_MAX);
    }
#ifdef MIOU_ASAN
    /* The frames of the stack's previous task were never unwound: clear
     * the sanitizer's record of them. */
    if (st)
        __asan_unpoison_memory_region(miou__stack_lo(st), st->size);
#endif
    return st;
}

void miou__stack_put(struct miou__sched *s, struct miou__stack *st)
{
    struct stack_class *c = class_of(s, st->size, 1);
    if (!c || c->count >= STACK_POOL_MAX) {
        stack_delete(st);
        return;
    }
    /* What the last task changed is painted again for the next one. */
    if (st->dirty) {
        miou__stack_paint(st, st->dirty);
        st->dirty = 0;
    }
    st->next = c->head;
    c->head = st;
    c->count++;
}

void miou__stack_free_all(struct miou__sched *s)
{
    for (int i = 0; i < STACK_CLASSES; i++) {
        struct stack_class *c = &s->pool[i];
        while (c->head) {
            struct miou__stack *st = c->head;
            c->head = st->next;
            stack_delete(st);
        }
        c->count = 0;
        c->size = 0;
    }
}

void miou__stack_overflow_report(const struct miou__task *t)
{
    char buf[24];
    /* The size the task asked for, without the sanitizer's room. */
    size_t size = t->stack->size - ASAN_EXTRA;
    miou__fatal("stack overflow in task '%s' (stack of %zu bytes); give it "
                "a larger stack_size",
                miou__name(t, buf, sizeof(buf)), size);
}

void miou__stack_check_all(const struct miou__task *t)
{
    const uint64_t *canary = miou__stack_canary(t->stack);
    for (size_t i = 0; i < CANARY_WORDS; i++)
        if (miou__unlikely(canary[i] != CANARY))
            miou__stack_overflow(t);
}
