/*
 * introspect.c - what a user sees of the scheduler's state: counters and a
 * listing of every live task.
 */
#include <string.h>

#include "internal.h"

void miou_stats(struct miou_stats *st)
{
    struct miou__sched *s = &miou__the_sched;
    memset(st, 0, sizeof(*st));
    if (!s->active)
        return;
    st->task_bytes = sizeof(struct miou__task);
    st->tasks = s->ntasks;
    st->sleepers = s->nsleepers;
    st->sched_bytes = miou__task_kept_bytes(s) + miou__stack_kept_bytes(s) +
                      miou__timer_bytes(s);
    for (int i = 0; i < STACK_CLASSES; i++)
        st->pooled_stacks += s->pool[i].count;
    st->switches = s->switches;
    st->polls = s->polls;
    st->net_readers = s->net_readers;
    st->block_waiters = s->block_waiters;
    st->stack_use_max = s->stack_use_max;
}

static const char *state_name(const struct miou__task *t)
{
    static const char *const names[] = {"runnable", "waiting", "ended",
                                        "released"};
    return names[t->state];
}

static const char *wait_name(const struct miou__task *t)
{
    static const char *const names[] = {"",
                                        "sleep",
                                        "mutex lock",
                                        "condition",
                                        "orphans",
                                        "net input",
                                        "scheduled block I/O",
                                        "await child",
                                        "its children to end",
                                        "mutex relock",
                                        "nothing (yielded)",
                                        "nothing (due)"};
    return names[t->wait];
}

static void dump_one(const struct miou__task *t, unsigned depth)
{
    char buf[24];
    for (unsigned i = 0; i < depth && i < 32; i++)
        miou__log("  ");
    miou__log("- '%s' #%llu %s", miou__name(t, buf, sizeof(buf)),
              (unsigned long long)t->id, state_name(t));
    if (t->state == TASK_WAITING) {
        miou__log(" on %s", wait_name(t));
        /* Devices by name: what a reader of the dump can match with the
         * manifest and the tender's options. */
        if (t->wait == WAIT_NET)
            miou__log(" of '%s'",
                      ((const struct miou_net *)t->wait_on)->dev.name);
        else if (t->wait == WAIT_BLOCK)
            miou__log(" on '%s'", miou__block_request_device(t->wait_on));
        else if (t->wait_on)
            miou__log(" %p", t->wait_on);
        uint64_t deadline = miou__timer_deadline(&miou__the_sched, t);
        if (deadline != UINT64_MAX) {
            uint64_t now = solo5_clock_monotonic();
            miou__log(" (deadline in %llu ms)",
                      (unsigned long long)(deadline > now
                                               ? (deadline - now) / 1000000u
                                               : 0));
        }
    }
    if (t->cancelled)
        miou__log(" (cancelled)");
    if (miou__the_sched.measure_stacks && t->stack)
        miou__log(" (stack %zu of %zu bytes used)", miou__stack_used(t->stack),
                  t->stack->size);
    if (t == miou__the_sched.current)
        miou__log(" (running)");
    miou__log(", %u children\n", t->nchildren);
}

void miou_dump(void)
{
    struct miou__sched *s = &miou__the_sched;
    if (!s->active || !s->root) {
        miou__log("miou: no run in progress\n");
        return;
    }
    miou__log("miou: %zu tasks, %zu sleeping:\n", s->ntasks, s->nsleepers);
    const struct miou__task *root = s->root, *t = root;
    unsigned depth = 0;
    for (;;) {
        dump_one(t, depth);
        if (t->first_child) {
            t = t->first_child;
            depth++;
            continue;
        }
        while (t != root && !t->sib_next) {
            t = t->parent;
            depth--;
        }
        if (t == root)
            return;
        t = t->sib_next;
    }
}
