/*
 * hook.c - functions run after each wait for external events. A hook may
 * remove itself or another hook while hooks run: removal then only clears
 * the entry, which is unlinked once the round is over.
 */

#include "internal.h"

int miou_hook_add(miou_hook **hook, void (*fn)(void *), void *arg)
{
    struct miou__sched *s = &miou__the_sched;
    if (!s->active)
        return MIOU_ENOTRUNNING;
    if (!hook || !fn)
        return MIOU_EINVAL;
    struct miou_hook *h = miou__mem_alloc(sizeof(*h));
    if (!h)
        return MIOU_ENOMEM;
    h->fn = fn;
    h->arg = arg;
    /* Hooks run in registration order; they are few, so appending walks
     * the list rather than keeping a tail pointer. */
    struct miou_hook **at = &s->hooks, *prev = NULL;
    while (*at) {
        prev = *at;
        at = &prev->next;
    }
    h->next = NULL;
    h->prev = prev;
    *at = h;
    *hook = h;
    return 0;
}

static void unlink_hook(struct miou__sched *s, struct miou_hook *h)
{
    if (h->prev)
        h->prev->next = h->next;
    else
        s->hooks = h->next;
    if (h->next)
        h->next->prev = h->prev;
    miou__mem_free(h);
}

void miou_hook_remove(miou_hook *h)
{
    struct miou__sched *s = &miou__the_sched;
    if (!h || !s->active)
        return;
    if (s->running_hooks) {
        h->fn = NULL;
        s->hooks_dirty = 1;
    } else {
        unlink_hook(s, h);
    }
}

void miou__hooks_run(struct miou__sched *s)
{
    s->running_hooks = 1;
    for (struct miou_hook *h = s->hooks; h; h = h->next)
        if (h->fn)
            h->fn(h->arg);
    s->running_hooks = 0;
    if (s->hooks_dirty) {
        s->hooks_dirty = 0;
        struct miou_hook *h = s->hooks;
        while (h) {
            struct miou_hook *next = h->next;
            if (!h->fn)
                unlink_hook(s, h);
            h = next;
        }
    }
}

void miou__hooks_free_all(struct miou__sched *s)
{
    while (s->hooks)
        unlink_hook(s, s->hooks);
}
