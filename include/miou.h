/*
 * miou.h - cooperative tasks for Solo5 unikernels, with Miou's rules.
 *
 * This header is the specification of the library: where the code does
 * something else than what is written here, the code is wrong.
 *
 * The model
 * ---------
 * A program calls miou_run() once, from solo5_app_main(). miou_run() runs a
 * first task; every task may spawn children (miou_async()), which run on
 * their own stacks, one at a time, each until it suspends. Tasks follow the
 * rules of OCaml's Miou scheduler (structured concurrency):
 *
 *  - only the parent may await or cancel a child (else MIOU_ENOTCHILD);
 *  - a task must await or cancel every child before it ends; one that ends
 *    with live children is reported on the console, naming it, its children
 *    are cancelled and awaited for it, and its own result is MIOU_ECHILDREN;
 *  - cancelling a task cancels its descendants and returns once they have
 *    all ended.
 *
 * Suspension points
 * -----------------
 * A call that may suspend the caller is marked SUSPENDS below. Once a task
 * is cancelled, every suspension point returns MIOU_ECANCELED instead of
 * suspending, except the awaits, which still wait for the children (they
 * are cancelled too, so they end promptly) and then return MIOU_ECANCELED.
 * A cancelled task is expected to return from its function promptly.
 *
 * Conventions
 * -----------
 * Calls that can fail return 0 (or a non-negative count) on success and a
 * negative MIOU_E* code on failure; miou_strerror() names each code. Calls
 * that need a running task return MIOU_ENOTRUNNING outside miou_run().
 * Deadlines are absolute times of the monotonic clock, in nanoseconds.
 * A unikernel has one CPU and one thread, and a process runs one
 * miou_run() at a time, as a unikernel does: on the hosted platform a
 * second run, from any thread, is refused, and the objects of a run
 * (tasks, mutexes, devices, ...) must only be used by the thread running
 * it.
 */
#ifndef MIOU_H_INCLUDED
#define MIOU_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include <solo5.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/* Every error code, with its value and its description. */
#define MIOU_ERRORS(X)                                                         \
    X(EINVAL, 1, "invalid argument")                                           \
    X(ECANCELED, 2, "cancelled")                                               \
    X(ENOTCHILD, 3, "task is not a child of the caller")                       \
    X(ENOMEM, 4, "out of memory")                                              \
    X(ECHILDREN, 5, "task ended with live children")                           \
    X(EDEADLK, 6, "deadlock: every task is blocked and nothing can wake one")  \
    X(EBUSY, 7, "resource busy")                                               \
    X(ENOTRUNNING, 8, "not called from a task of miou_run()")                  \
    X(EPERM, 9, "caller does not own the mutex")                               \
    X(ETIMEDOUT, 10, "deadline reached")                                       \
    X(ENODEV, 11, "no device of that name and type in the manifest")           \
    X(EALIGN, 12, "offset or length is not a multiple of the block size")      \
    X(ERANGE, 13, "beyond the end of the block device")                        \
    X(EMSGSIZE, 14, "frame longer than the device's MTU + 14 bytes")           \
    X(ENOBUFS, 15, "buffer shorter than the device's MTU + 14 bytes")          \
    X(EIO, 16, "the device failed")                                            \
    X(ECONNREFUSED, 17, "connection refused by the peer")                      \
    X(ECONNRESET, 18, "connection reset by the peer")                          \
    X(ECONNABORTED, 19, "connection aborted")                                  \
    X(EADDRINUSE, 20, "address already in use")                                \
    X(ENOTCONN, 21, "not connected")                                           \
    X(EHOSTUNREACH, 22, "no route to the host")                                \
    X(EPIPE, 23, "the sending side is shut down")                              \
    X(ENOENTROPY, 24, "no usable source of random bytes")                      \
    X(EBADCERT, 25, "certificate or key malformed, or not matching")           \
    X(EUNTRUSTED, 26, "certificate not issued by a trusted authority")         \
    X(EEXPIRED, 27, "certificate expired")                                     \
    X(ENOTYETVALID, 28,                                                        \
      "certificate not yet valid (or the wall clock is behind)")               \
    X(EHOSTNAME, 29, "certificate does not name the host")                     \
    X(EPEERCERT, 30, "the peer's certificate was refused")                     \
    X(EHANDSHAKE, 31,                                                          \
      "TLS handshake failure: no common version, suite or group")              \
    X(EPROTO, 32, "TLS protocol violation: malformed or unexpected message")   \
    X(EALERT, 33, "the peer ended the TLS session with a fatal alert")         \
    X(ETLS, 34, "TLS failure inside mbedTLS")                                  \
    X(ENOTSUP, 35, "not available: the run was not configured for it")         \
    X(ENOTFOUND, 36, "no such name, or no address of the family asked")        \
    X(ENOSERVER, 37, "no DNS server: none configured, none from DHCP")         \
    X(EDNSFAIL, 38, "the DNS servers failed or refused the query")

enum miou_error {
    MIOU_OK = 0,
#define MIOU__ERROR_ENUM(name, value, text) MIOU_##name = -(value),
    MIOU_ERRORS(MIOU__ERROR_ENUM)
#undef MIOU__ERROR_ENUM
};

/* A sentence describing (err), for any int; unknown codes get
 * "unknown error". */
const char *miou_strerror(int err);

/* The code's name ("MIOU_ECANCELED"), or "MIOU_E?" for an unknown code. */
const char *miou_errname(int err);

/* ------------------------------------------------------------------ */
/* Running                                                             */
/* ------------------------------------------------------------------ */

/* A handle on a task, given by miou_async() to the parent. It is not a
 * pointer to anything: it names the task by its slot and a generation
 * number, so that a handle kept after the task was released (awaited or
 * cancelled) is recognised as such (MIOU_ENOTCHILD) instead of reaching
 * whatever task reuses the slot. */
typedef struct miou_task miou_task;

/* Private: a FIFO of tasks linked through the tasks themselves, so that
 * waiting never allocates and leaving a queue costs O(1). */
struct miou__task;
struct miou__queue {
    struct miou__task *head, *tail;
};

/* A task's function: it receives the argument given at spawn and returns
 * its result, which the parent receives from the await. */
typedef void *(*miou_fn)(void *arg);

/* Default stack size of a task, in bytes. */
#define MIOU_STACK_DEFAULT (64u * 1024u)
/* Smallest stack size accepted, in bytes. */
#define MIOU_STACK_MIN 2048u
/* Default number of task switches between two polls for external events
 * (see miou_config.poll_interval). */
#define MIOU_POLL_INTERVAL_DEFAULT 64u
/* While tasks stay runnable, the oldest scheduled block operation still
 * moves one block every MIOU_BLOCK_AGING polls (see miou_block_read()). */
#define MIOU_BLOCK_AGING 4u

/* Options of miou_run(); a zero field takes its default. */
struct miou_config {
    /* Stack size of tasks spawned without one, and of the first task. */
    size_t stack_size;
    /* How many times tasks may switch to one another before the scheduler
     * reads the clock, wakes expired sleepers and asks the platform for
     * net input, even though tasks are still runnable. Bounds how long a
     * busy task can starve the network. */
    unsigned poll_interval;
    /* Name of the first task, for diagnostics ("main" by default). */
    const char *name;
    /* Measure how deep every task's stack goes, so that a user can pick
     * the smallest safe stack_size: each new stack is filled with a
     * pattern, and the deepest word a task changed is found when it ends
     * (miou_task_stack_use(), miou_stats(), miou_dump() ask about live
     * ones). At the end of the run the deepest use of each task name is
     * printed on the console. It costs every new stack a pass over it and
     * every task's end a pass over what it left unused: off by default. A
     * function that reserves stack without writing it (an array never
     * filled) is not seen below the deepest word it wrote. */
    int measure_stacks;
};

/* Run (fn)(arg) as the first task, and every task it spawns, until the
 * first task has ended. One run at a time in a process. (cfg) may be NULL.
 * When (result) is not NULL it receives the first task's return value
 * (NULL if it never returned).
 *
 * Returns the first task's status as miou_await() would give it (0,
 * MIOU_ECHILDREN, MIOU_ECANCELED), or MIOU_EDEADLK (see below). Also:
 *   MIOU_EINVAL   (fn) is NULL, or (cfg) holds a stack size below
 *                 MIOU_STACK_MIN;
 *   MIOU_EBUSY    a run is in progress: called from inside it (runs do
 *                 not nest) or, on hosted, from another thread;
 *   MIOU_ENOMEM   the first task could not be created.
 * When every task is blocked with nothing that can wake any of them (no
 * sleeper, no device wait), the scheduler prints the live tasks, cancels
 * the first task's tree so that every blocked call returns MIOU_ECANCELED,
 * lets the tasks end and returns MIOU_EDEADLK. If cancellation wakes no
 * task (tasks waiting only for one another in awaits and in the re-lock
 * after a condition wait, which cancellation does not interrupt), the
 * program stops with a fatal message. Everything the run allocated is
 * released before it returns. */
int miou_run(const struct miou_config *cfg, miou_fn fn, void *arg,
             void **result);

/* ------------------------------------------------------------------ */
/* Tasks                                                               */
/* ------------------------------------------------------------------ */

/* Options of miou_async_with(); a zero field takes its default. */
struct miou_task_options {
    /* Bytes of stack, at least MIOU_STACK_MIN; 0 for the run's default. */
    size_t stack_size;
    /* Name shown in diagnostics. Not copied: it must outlive the task. */
    const char *name;
};

/* Spawn (fn)(arg) as a child of the calling task and store its handle in
 * (*task). The child is queued; the caller goes on running. Errors:
 * MIOU_EINVAL (task or fn NULL), MIOU_ENOMEM, MIOU_ENOTRUNNING, and
 * MIOU_ECANCELED when the caller is cancelled (no child is created). */
int miou_async(miou_task **task, miou_fn fn, void *arg);

/* miou_async() with options ((opts) may be NULL). A stack size below
 * MIOU_STACK_MIN is MIOU_EINVAL. */
int miou_async_with(miou_task **task, const struct miou_task_options *opts,
                    miou_fn fn, void *arg);

/* SUSPENDS. Wait for the child (task) to end and release its handle. When
 * (result) is not NULL it receives the value the child returned, whatever
 * the status (NULL if it never ran), so that it can be freed.
 * Returns:
 *   0               the child returned normally;
 *   MIOU_ECANCELED  the child, or the caller, was cancelled;
 *   MIOU_ECHILDREN  the child ended with live children;
 *   MIOU_ENOTCHILD  (task) is not a child of the caller, or was already
 *                   awaited or cancelled: nothing happens;
 *   MIOU_EINVAL     (task) is NULL; MIOU_ENOTRUNNING. */
int miou_await(miou_task *task, void **result);

/* SUSPENDS. Wait for all of the (n) children in (tasks) and release them.
 * (results) and (statuses), when not NULL, receive each child's value and
 * status as miou_await() gives them. Returns 0 when every status is 0,
 * else the first non-zero status in list order. The list is checked before
 * anything happens: a task that is not a child of the caller, or listed
 * twice, is MIOU_ENOTCHILD or MIOU_EINVAL and nothing is awaited. An
 * empty list (n == 0, tasks may be NULL) returns 0 at once. */
int miou_await_all(miou_task *const *tasks, size_t n, void **results,
                   int *statuses);

/* SUSPENDS. Wait for the first of the (n) children in (tasks) to end, then
 * cancel the others (waiting for them to end) and release all of them.
 * (*index), when not NULL, receives the position of the first to end and
 * (*result) its value. Returns that child's status, as miou_await(). The
 * list is checked first, as for miou_await_all(); (n) must be at least 1. */
int miou_await_first(miou_task *const *tasks, size_t n, size_t *index,
                     void **result);

/* SUSPENDS. Wait for any one of the (n) children in (tasks) to end and
 * release that one only; the others keep running and stay the caller's
 * children. (*index) and (*result) as for miou_await_first(). */
int miou_await_one(miou_task *const *tasks, size_t n, size_t *index,
                   void **result);

/* SUSPENDS. Cancel the child (task) and every one of its descendants, wait
 * until they have all ended and release the handle (the child's result is
 * dropped; use cleanups to free what a task holds). Cancelling a task that
 * has already ended just releases it. Returns 0, MIOU_ECANCELED when the
 * caller was itself cancelled meanwhile (the child has ended all the
 * same), MIOU_ENOTCHILD, MIOU_EINVAL or MIOU_ENOTRUNNING. */
int miou_cancel(miou_task *task);

/* SUSPENDS. Let the other runnable tasks run, then come back. Returns 0 or
 * MIOU_ECANCELED. */
int miou_yield(void);

/* SUSPENDS. Sleep until the monotonic clock has advanced by (ns). A zero
 * duration is a yield. Returns 0, MIOU_ECANCELED, or MIOU_ENOMEM when the
 * table of sleepers cannot grow (the caller did not sleep). */
int miou_sleep(uint64_t ns);

/* SUSPENDS. Sleep until the monotonic clock reaches (deadline). A deadline
 * already past is a yield. Returns as miou_sleep(). */
int miou_sleep_until(uint64_t deadline);

/* The calling task, or NULL outside a run. */
miou_task *miou_self(void);

/* The name of (task) (the calling task when NULL): its spawn name, or else
 * "task-N" with its number written into (buf) of (size) bytes (24 are
 * always enough). Never NULL; "?" outside a run. */
const char *miou_task_name(const miou_task *task, char *buf, size_t size);

/* 1 when the calling task has been cancelled, else 0. */
int miou_cancelled(void);

/* Monotonic time, in nanoseconds. */
uint64_t miou_clock_monotonic(void);
/* Monotonic time as the library last read it. The reading is kept until
 * the scheduler next runs (a switch to another task, a poll), so that
 * the calls a task makes between two suspensions read the clock once at
 * most: under solo5-spt each read is a system call. Never later than
 * miou_clock_monotonic() nor decreasing, it lags by what the calling task
 * has computed since it was resumed, so a deadline of miou_clock_recent()
 * + d may come that much before d has passed: for timeouts that tolerate
 * it (lwIP's, in ms; a connection's idle time). It stands still for a
 * task that does not suspend: do not spin on it. Outside a run,
 * miou_clock_monotonic(). */
uint64_t miou_clock_recent(void);
/* Wall-clock time, in nanoseconds since the UNIX epoch. */
uint64_t miou_clock_wall(void);

/* ------------------------------------------------------------------ */
/* Randomness                                                          */
/* ------------------------------------------------------------------ */

/* Fill (buf) with (len) random bytes from the platform's source: the
 * kernel's getrandom(2) on hosted; under Solo5 the CPU's instruction
 * (RDSEED, else RDRAND, on x86_64 once CPUID says it is there; RNDR on
 * aarch64), mixed by nothing: a source, not a generator; under sim, the
 * run's seeded stream, so that a run replays. Each 8-byte word must
 * differ from the one before it, and the first ones drawn in a process
 * from each other and from all-zero and all-one words (a health check
 * against a stuck source); a source that fails it once, or that is
 * absent, is refused for the rest of the process: MIOU_ENOENTROPY, and
 * (buf) is zeroed. Never suspends; works outside a run too. Cryptography
 * wants these bytes as a DRBG's seed, not as its stream: the TLS layer
 * (miou_tls.h) does that. Returns 0, MIOU_ENOENTROPY, or MIOU_EINVAL
 * ((buf) NULL with a non-zero (len)). */
int miou_random(void *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Net devices                                                         */
/* ------------------------------------------------------------------ */

/* Devices are declared in the unikernel's manifest (Solo5's manifest.json)
 * and attached by the tender's command line (--net:NAME=..., --block:NAME=
 * ...). A device is acquired once per run, by the name the manifest gives
 * it; its handle is valid until the run ends (a handle kept from an earlier
 * run is refused with MIOU_EINVAL). A later run of the same program may
 * acquire it again.
 * Every device call needs a running task (else MIOU_ENOTRUNNING). */

typedef struct miou_net miou_net;

/* Bytes of an Ethernet header: a frame is at most mtu + MIOU_NET_HLEN. */
#define MIOU_NET_HLEN 14u

struct miou_net_info {
    uint8_t mac[6]; /* the device's MAC address */
    size_t mtu;     /* payload bytes, without the Ethernet header */
};

/* Acquire the net device (name) and store its handle in (*net) and, when
 * (info) is not NULL, its address and MTU in (*info). Errors: MIOU_EINVAL
 * (name or net NULL), MIOU_ENODEV (the manifest declares no net device of
 * that name), MIOU_EBUSY (already acquired in this run), MIOU_ENOMEM,
 * MIOU_ENOTRUNNING. */
int miou_net_acquire(const char *name, miou_net **net,
                     struct miou_net_info *info);

/* SUSPENDS. Receive one Ethernet frame into (buf), which must hold at least
 * mtu + MIOU_NET_HLEN bytes, and return its length. When no frame waits,
 * the caller is suspended until the device has input (other tasks run
 * meanwhile); several tasks may read one device, and each frame goes to one
 * of them. A reader that keeps finding frames still lets other tasks run
 * once every poll interval. Errors, where nothing is received:
 * MIOU_ECANCELED, MIOU_ENOBUFS (size too small), MIOU_EINVAL (net or buf
 * NULL, or a handle of an earlier run), MIOU_EIO, MIOU_ENOTRUNNING. */
long miou_net_read(miou_net *net, void *buf, size_t size);

/* Send the Ethernet frame of (size) bytes at (buf). Atomic: no other task
 * runs meanwhile, and when it returns 0 the device has taken the frame
 * (a device that is momentarily full is retried). Errors, where nothing is
 * sent: MIOU_EMSGSIZE (size above mtu + MIOU_NET_HLEN), MIOU_EINVAL (size
 * below MIOU_NET_HLEN, net or buf NULL, or an old handle), MIOU_EIO,
 * MIOU_ENOTRUNNING. A cancelled task may still write. */
int miou_net_write(miou_net *net, const void *buf, size_t size);

/* ------------------------------------------------------------------ */
/* Block devices                                                       */
/* ------------------------------------------------------------------ */

typedef struct miou_block miou_block;

struct miou_block_info {
    uint64_t capacity;   /* bytes */
    uint64_t block_size; /* bytes of the unit of I/O: 512, 4096, ... */
};

/* Acquire the block device (name), as miou_net_acquire(). */
int miou_block_acquire(const char *name, miou_block **block,
                       struct miou_block_info *info);

/* Every block call moves (size) bytes at byte (offset): both must be
 * multiples of the device's block size (size at least one block), and the
 * range must lie inside the capacity. Errors, checked before anything
 * moves: MIOU_EALIGN (offset or size not a multiple of the block size, or
 * size 0), MIOU_ERANGE (beyond the capacity), MIOU_EINVAL (block or buf
 * NULL, or an old handle), MIOU_ENOTRUNNING; then MIOU_EIO when the device
 * fails (blocks before the failing one have moved).
 *
 * Atomic calls move the data now, in the calling task; nothing else runs
 * meanwhile, and a cancelled task may still call them. */
int miou_block_atomic_read(miou_block *block, uint64_t offset, void *buf,
                           size_t size);
int miou_block_atomic_write(miou_block *block, uint64_t offset, const void *buf,
                            size_t size);

/* SUSPENDS. Scheduled calls queue the operation and suspend the caller;
 * the scheduler performs queued operations, one block at a time and in
 * arrival order, when no task is runnable (the lowest priority), still
 * checking net input and sleepers between blocks. They are not starved:
 * while tasks stay runnable, the oldest operation moves one block every
 * MIOU_BLOCK_AGING polls (a poll every poll_interval switches), so a block
 * waits at most MIOU_BLOCK_AGING poll intervals once it is at the head of
 * the queue. (buf) must stay
 * untouched until the call returns. A task cancelled while its operation
 * waits leaves the queue at once and gets MIOU_ECANCELED; if some of its
 * blocks had already moved, they stay moved (a write of several blocks
 * may be cut short). */
int miou_block_read(miou_block *block, uint64_t offset, void *buf, size_t size);
int miou_block_write(miou_block *block, uint64_t offset, const void *buf,
                     size_t size);

/* ------------------------------------------------------------------ */
/* Orphans: children collected later                                   */
/* ------------------------------------------------------------------ */

/* A set of children that their parent collects when they have ended
 * (a server spawning a task per connection). It belongs to the task that
 * first spawns into it, and must stay in place (not move, not go out of
 * scope) until that task has taken or awaited every child in it: ending
 * children are recorded in it. Its fields are private. */
typedef struct miou_orphans {
    struct miou__task *owner;
    struct miou__queue done; /* ended, not yet taken */
    size_t count;            /* tasks in the set */
} miou_orphans;

/* Prepare an empty set. */
void miou_orphans_init(miou_orphans *orphans);

/* miou_async_with(), recording the child in (orphans). (task) may be NULL
 * when the caller does not need the handle. MIOU_ENOTCHILD when the set
 * belongs to another task. */
int miou_async_orphan(miou_orphans *orphans, miou_task **task,
                      const struct miou_task_options *opts, miou_fn fn,
                      void *arg);

/* A child of the set that has ended, removed from the set, for the caller
 * to miou_await() (which will not suspend); NULL when none has ended. */
miou_task *miou_orphans_take(miou_orphans *orphans);

/* SUSPENDS. Wait until a child of the set has ended and store it in
 * (*task), as miou_orphans_take(). Returns 0, MIOU_EINVAL when the set is
 * empty (nothing could ever end), MIOU_ECANCELED, MIOU_ENOTCHILD. */
int miou_orphans_wait(miou_orphans *orphans, miou_task **task);

/* Await every child of the set that has ended (their results are
 * dropped), as a server loop does between two accepts; returns how many.
 * Never suspends. */
size_t miou_orphans_reap(miou_orphans *orphans);

/* How many children the set holds, ended or not. */
size_t miou_orphans_count(const miou_orphans *orphans);

/* ------------------------------------------------------------------ */
/* Mutex and condition variable                                        */
/* ------------------------------------------------------------------ */

/* Fields are private; initialise with miou_mutex_init(). */
typedef struct miou_mutex {
    struct miou__task *owner;
    struct miou__queue waiters; /* in arrival order */
} miou_mutex;

typedef struct miou_cond {
    struct miou__queue waiters; /* in arrival order */
} miou_cond;

void miou_mutex_init(miou_mutex *mutex);

/* SUSPENDS while another task holds the mutex; the mutex passes to waiters
 * in arrival order. Returns 0 (held), MIOU_ECANCELED (not held),
 * MIOU_EDEADLK (the caller already holds it), MIOU_EINVAL,
 * MIOU_ENOTRUNNING. */
int miou_mutex_lock(miou_mutex *mutex);

/* Take the mutex if it is free: 0, else MIOU_EBUSY. */
int miou_mutex_trylock(miou_mutex *mutex);

/* Release the mutex: 0, or MIOU_EPERM when the caller does not hold it. */
int miou_mutex_unlock(miou_mutex *mutex);

void miou_cond_init(miou_cond *cond);

/* SUSPENDS. Release (mutex), which the caller must hold, wait for a signal,
 * then take (mutex) again. Returns 0, MIOU_ECANCELED or MIOU_EPERM. In
 * every case but MIOU_EPERM the caller holds (mutex) again on return
 * (a cancelled waiter re-takes it without being interruptible). */
int miou_cond_wait(miou_cond *cond, miou_mutex *mutex);

/* miou_cond_wait() that also returns MIOU_ETIMEDOUT at (deadline) (at
 * once, without releasing the mutex, when it is already past), and
 * MIOU_ENOMEM, still holding the mutex, when the table of sleepers cannot
 * grow. UINT64_MAX is no deadline. */
int miou_cond_wait_until(miou_cond *cond, miou_mutex *mutex, uint64_t deadline);

/* Wake the oldest waiter, or every waiter. No effect when none waits. */
void miou_cond_signal(miou_cond *cond);
void miou_cond_broadcast(miou_cond *cond);

/* ------------------------------------------------------------------ */
/* Cleanups                                                            */
/* ------------------------------------------------------------------ */

typedef struct miou_cleanup miou_cleanup;

/* Register (fn)(arg) to run, in the calling task, when the task ends after
 * having been cancelled (after its function has returned). Cleanups run in
 * reverse order of registration. Returns the registration, or NULL when
 * out of memory or outside a task. */
miou_cleanup *miou_cleanup_push(void (*fn)(void *arg), void *arg);

/* Remove a registration of the calling task, running it first when (run)
 * is non-zero. */
void miou_cleanup_pop(miou_cleanup *cleanup, int run);

/* ------------------------------------------------------------------ */
/* Hooks                                                               */
/* ------------------------------------------------------------------ */

typedef struct miou_hook miou_hook;

/* Register (fn)(arg) to run each time the scheduler has asked the platform
 * for external events (after each solo5_yield()). A hook must not call a
 * function that suspends. Hooks last until removed or until the run ends.
 * Stores the registration in (*hook); 0, MIOU_EINVAL, MIOU_ENOMEM,
 * MIOU_ENOTRUNNING. */
int miou_hook_add(miou_hook **hook, void (*fn)(void *arg), void *arg);

/* Remove a hook; NULL is ignored. A hook may remove itself. */
void miou_hook_remove(miou_hook *hook);

/* ------------------------------------------------------------------ */
/* The command line                                                    */
/* ------------------------------------------------------------------ */

/* The unikernel's arguments, split from the start info's command line the
 * same way on every platform: words separated by spaces or tabs, no
 * quoting. A tender joins the arguments given after the unikernel with
 * single spaces, so an argument holding a space arrives as two words,
 * under Solo5 as on hosted. The leading --solo5: words (--solo5:quiet,
 * ...) are the platform's: they are gone before solo5_app_main() sees the
 * command line; a --solo5: word anywhere else is the unikernel's. */
struct miou_args {
    int argc;
    char **argv; /* argv[argc] is NULL */
};

/* Split (cmdline) into (*args), in one block from the unikernel's heap
 * (call from solo5_app_main() or a task). Errors: MIOU_EINVAL (a NULL
 * argument), MIOU_ENOMEM; (*args) is then empty (argc 0, argv NULL). */
int miou_args_parse(const char *cmdline, struct miou_args *args);

/* Give back what miou_args_parse() took; (*args) becomes empty. */
void miou_args_free(struct miou_args *args);

/* ------------------------------------------------------------------ */
/* Introspection                                                       */
/* ------------------------------------------------------------------ */

/* Counters of the current run (all zero outside a run). */
struct miou_stats {
    size_t tasks;         /* tasks spawned and not yet released */
    size_t sleepers;      /* tasks waiting for a deadline */
    size_t pooled_stacks; /* stacks kept for reuse */
    size_t task_bytes;    /* bytes of one task's bookkeeping */
    uint64_t switches;    /* task switches since the run started */
    uint64_t polls;       /* calls to solo5_yield() */
    size_t net_readers;   /* tasks suspended in miou_net_read() */
    size_t block_waiters; /* tasks waiting for a scheduled block call */
    size_t stack_use_max; /* with measure_stacks: the deepest stack use of
                             any task of the run, in bytes (0 without) */
    size_t sched_bytes;   /* heap bytes the scheduler holds for itself, as
                             asked of the heap (its headers not counted):
                             the task records, live and kept for reuse,
                             the pooled stacks, the sleepers' arrays; not
                             the stacks of tasks still running. What the
                             heap holds beyond this and the running tasks'
                             stacks is the program's. */
};

void miou_stats(struct miou_stats *stats);

/* Print every live task on the console: name, state, what it waits on,
 * its parent; with measure_stacks, its stack use. */
void miou_dump(void);

/* With measure_stacks: the deepest that the stack of (task) (NULL: the
 * calling task) has gone so far, in bytes, in (*used), and the size of
 * that stack in (*size) (either may be NULL). A task that has ended has no
 * stack left: its use is in the report at the end of the run and in
 * miou_stats(). Errors: MIOU_ENOTSUP when the run does not measure stacks;
 * MIOU_ENOTCHILD when (task) names no task of the run that has yet to end
 * (or none runs, for NULL); MIOU_ENOTRUNNING outside a run. */
int miou_task_stack_use(const miou_task *task, size_t *used, size_t *size);

#ifdef __cplusplus
}
#endif

#endif /* MIOU_H_INCLUDED */
