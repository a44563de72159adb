/*
 * solo5.h - the Solo5 application interface, as miou-solo5 relies on it.
 *
 * This file is our own statement of the Solo5 ABI (the public facts of
 * Solo5's interface: names, types, values). On the real Solo5 target the
 * toolchain's own solo5.h is used instead; the hosted and sim platforms
 * implement the calls declared here, so a program written for Solo5 builds
 * unchanged on them.
 *
 * A unikernel has one CPU, no threads, no signals and no system calls: every
 * contact with the outside world goes through the calls below.
 */
#ifndef SOLO5_H_INCLUDED
#define SOLO5_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

/* Results of the calls that can fail. Callers may rely on OK and AGAIN;
 * EINVAL and EUNSPEC say only that the call was refused. */
typedef enum {
    SOLO5_R_OK,     /* the call succeeded */
    SOLO5_R_AGAIN,  /* nothing to do now (no frame waiting, queue full) */
    SOLO5_R_EINVAL, /* the arguments were refused */
    SOLO5_R_EUNSPEC /* the operation failed for another reason */
} solo5_result_t;

/* The start info handed to solo5_app_main(): the command line as one string
 * (the unikernel's own arguments, separated by spaces) and the one region
 * of memory the unikernel may use as its heap. */
struct solo5_start_info {
    const char *cmdline;
    uintptr_t heap_start;
    size_t heap_size;
};

/* The application's entry point, written by the application. Its return
 * value is the unikernel's exit status. */
int solo5_app_main(const struct solo5_start_info *info);

/* End the unikernel with (status). Does not return. */
void solo5_exit(int status) __attribute__((noreturn));

/* End the unikernel abnormally (exit status 255 on the tenders). */
void solo5_abort(void) __attribute__((noreturn));

/* Nanoseconds. */
typedef uint64_t solo5_time_t;

/* Monotonic time in nanoseconds since an arbitrary point. */
solo5_time_t solo5_clock_monotonic(void);

/* Wall-clock time in nanoseconds since the UNIX epoch (UTC). */
solo5_time_t solo5_clock_wall(void);

/* Device handles are small integers (below 64): a handle set is a bit mask
 * indexed by handle. */
typedef uint64_t solo5_handle_t;
typedef uint64_t solo5_handle_set_t;

/* Suspend the unikernel until monotonic time reaches (deadline) or until at
 * least one net device has input waiting. On return, (*ready_set), when not
 * NULL, holds the handles of the net devices that are readable. A deadline
 * already past returns at once, after checking for input. */
void solo5_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set);

/* Best-effort output of (size) bytes of (buf) to the console. */
void solo5_console_write(const char *buf, size_t size);

/* Network devices. */
#define SOLO5_NET_ALEN 6  /* bytes of a MAC address */
#define SOLO5_NET_HLEN 14 /* bytes of an Ethernet header */

struct solo5_net_info {
    uint8_t mac_address[SOLO5_NET_ALEN];
    size_t mtu; /* payload bytes, without the Ethernet header */
};

/* Open the net device declared as (name) in the manifest. A second acquire
 * of the same name is SOLO5_R_EINVAL. */
solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
                                 struct solo5_net_info *info);

/* Send one Ethernet frame of (size) bytes, at most mtu + SOLO5_NET_HLEN.
 * SOLO5_R_AGAIN means the frame was not sent and the call should be
 * retried. */
solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf,
                               size_t size);

/* Receive one Ethernet frame into (buf) of (size) bytes, setting
 * (*read_size). Never blocks: SOLO5_R_AGAIN when no frame is waiting. */
solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf, size_t size,
                              size_t *read_size);

/* Block devices. */
typedef uint64_t solo5_off_t;

struct solo5_block_info {
    solo5_off_t capacity;   /* bytes */
    solo5_off_t block_size; /* bytes of the unit of I/O */
};

/* Open the block device declared as (name) in the manifest. */
solo5_result_t solo5_block_acquire(const char *name, solo5_handle_t *handle,
                                   struct solo5_block_info *info);

/* Write (size) bytes at (offset). (offset) must be a multiple of the block
 * size and (size) exactly one block, inside the capacity; otherwise
 * SOLO5_R_EINVAL. */
solo5_result_t solo5_block_write(solo5_handle_t handle, solo5_off_t offset,
                                 const uint8_t *buf, size_t size);

/* Read (size) bytes at (offset), with the same rules as the write. */
solo5_result_t solo5_block_read(solo5_handle_t handle, solo5_off_t offset,
                                uint8_t *buf, size_t size);

/* Set the base of thread-local storage of the unikernel's one thread. */
solo5_result_t solo5_set_tls_base(uintptr_t base);

#endif /* SOLO5_H_INCLUDED */
