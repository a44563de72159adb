/*
 * stack.c - task stacks: allocation, a pool for reuse, overflow canaries,
 * and registration with valgrind.
 *
 * Solo5 has no MMU control, so there are no guard pages: a canary sits
 * below each stack and is checked at every switch away from the task. A
 * damaged canary is fatal, with the task's name.
 */
#include <stdlib.h>

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

static struct miou__stack *stack_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(struct miou__stack) - ASAN_EXTRA)
        return NULL;
    struct miou__stack *st = malloc(sizeof(*st) + size + ASAN_EXTRA);
    if (!st)
        return NULL;
    st->size = size + ASAN_EXTRA;
    st->next = NULL;
    for (size_t i = 0; i < CANARY_WORDS; i++)
        st->canary[i] = CANARY;
#ifdef HAVE_VALGRIND
    char *lo = miou__stack_lo(st);
    st->valgrind_id = VALGRIND_STACK_REGISTER(lo, lo + size);
#else
    st->valgrind_id = 0;
#endif
    return st;
}

static void stack_delete(struct miou__stack *st)
{
#ifdef MIOU_ASAN
    __asan_unpoison_memory_region(miou__stack_lo(st), st->size);
#endif
#ifdef HAVE_VALGRIND
    VALGRIND_STACK_DEREGISTER(st->valgrind_id);
#endif
    free(st);
}

static struct stack_class *class_of(struct miou__sched *s, size_t size,
                                    int create)
{
    for (int i = 0; i < STACK_CLASSES; i++)
        if (s->pool[i].size == size)
            return &s->pool[i];
    if (!create)
        return NULL;
    for (int i = 0; i < STACK_CLASSES; i++)
        if (s->pool[i].count == 0) {
            s->pool[i].size = size;
            return &s->pool[i];
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

void miou__stack_overflow(const struct miou_task *t)
{
    char buf[24];
    miou__fatal("stack overflow in task '%s' (stack of %zu bytes); give it "
                "a larger stack_size",
                miou__name(t, buf, sizeof(buf)), t->stack->size);
}

void miou__stack_check_all(const struct miou_task *t)
{
    for (size_t i = 0; i < CANARY_WORDS; i++)
        if (miou__unlikely(t->stack->canary[i] != CANARY))
            miou__stack_overflow(t);
}
