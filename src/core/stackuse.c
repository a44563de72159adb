/*
 * stackuse.c - how deep tasks' stacks go (miou_config.measure_stacks), so
 * that a user can pick the smallest safe stack size.
 *
 * Stack painting: a new stack is filled with a pattern; the lowest word
 * that no longer holds it is the deepest the stack went. A task's use is
 * found when it ends, and its stack is painted again (the part it
 * changed) before the pool gives it to another task. The deepest use of
 * each task name is kept for the report printed at the end of the run.
 *
 * The scans read stack memory below the stack pointer of a task that has
 * returned from its deepest calls: valgrind is told that memory holds
 * values (it marks it inaccessible when the stack pointer moves up), and
 * AddressSanitizer is kept out of the scan (what it poisoned there was
 * unpoisoned when the frames returned, but a fake frame's may remain).
 */
#include <string.h>

#include "internal.h"

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>) && !defined(MIOU_NO_VALGRIND)
#include <valgrind/memcheck.h>
#define HAVE_MEMCHECK 1
#endif
#endif

#ifdef MIOU_ASAN
#define NO_ASAN __attribute__((no_sanitize_address))
#else
#define NO_ASAN
#endif

/* "miou-stk": what no program writes by chance. */
#define PAINT 0x6b74732d756f696dull

NO_ASAN void miou__stack_paint(struct miou__stack *st, size_t top_bytes)
{
    size_t bytes = top_bytes < st->size ? top_bytes : st->size;
    uint64_t *w = (uint64_t *)((char *)st - bytes);
#ifdef HAVE_MEMCHECK
    VALGRIND_MAKE_MEM_UNDEFINED(w, bytes);
#endif
    for (size_t i = 0; i < bytes / 8; i++)
        w[i] = PAINT;
}

NO_ASAN size_t miou__stack_used(const struct miou__stack *st)
{
    const uint64_t *w = miou__stack_lo(st);
    size_t n = st->size / 8, i = 0;
#ifdef HAVE_MEMCHECK
    VALGRIND_MAKE_MEM_DEFINED(w, st->size);
#endif
    while (i < n && w[i] == PAINT)
        i++;
    return (n - i) * 8;
}

/* The entry of the report for (name), NULL when the table is full. */
static struct miou__stack_use *use_of(struct miou__sched *s, const char *name)
{
    for (unsigned i = 0; i < s->nstack_uses; i++) {
        const char *n = s->stack_uses[i].name;
        if (n == name || (n && name && strcmp(n, name) == 0))
            return &s->stack_uses[i];
    }
    if (s->nstack_uses == MIOU__STACK_USES)
        return NULL;
    struct miou__stack_use *u = &s->stack_uses[s->nstack_uses++];
    u->name = name;
    return u;
}

void miou__stack_measure_end(struct miou__sched *s, struct miou__task *t)
{
    struct miou__stack *st = t->stack;
    size_t used = miou__stack_used(st);
    st->dirty = (uint32_t)used;
    if (used > s->stack_use_max)
        s->stack_use_max = used;
    struct miou__stack_use *u = use_of(s, t->name);
    if (!u)
        return;
    if (used > u->used)
        u->used = used;
    u->size = st->size;
    u->tasks++;
}

void miou__stack_report(const struct miou__sched *s)
{
    miou__log("miou: stack use, deepest of each task name:\n");
    for (unsigned i = 0; i < s->nstack_uses; i++) {
        const struct miou__stack_use *u = &s->stack_uses[i];
        miou__log("- '%s': %zu of %zu bytes (%llu tasks)\n",
                  u->name ? u->name : "(unnamed)", u->used, u->size,
                  (unsigned long long)u->tasks);
    }
    if (s->nstack_uses == MIOU__STACK_USES)
        miou__log("  (the first %u names only)\n", MIOU__STACK_USES);
}

int miou_task_stack_use(const miou_task *task, size_t *used, size_t *size)
{
    struct miou__sched *s = &miou__the_sched;
    if (!s->active)
        return MIOU_ENOTRUNNING;
    if (!s->measure_stacks)
        return MIOU_ENOTSUP;
    const struct miou__task *t = task ? miou__task_of(task) : s->current;
    if (!t || !t->stack)
        return MIOU_ENOTCHILD;
    if (used)
        *used = miou__stack_used(t->stack);
    if (size)
        *size = t->stack->size;
    return 0;
}
