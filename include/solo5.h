/*
 * solo5.h - the Solo5 application interface, as miou-solo5 relies on it.
 *
 * This file is our own statement of the Solo5 ABI, written from Solo5's
 * documentation of it: every name, type and value that Solo5's public
 * header declares, with the same meaning, so that a program written for
 * Solo5 compiles against this header unchanged. On the real Solo5 target
 * the toolchain's own solo5.h is used instead; the hosted and sim
 * platforms implement the calls declared here. Where they cannot behave
 * as a Solo5 tender does, the comment of the call says so (NOTE:).
 *
 * A unikernel has one CPU, no threads, no signals and no system calls: every
 * contact with the outside world goes through the calls below.
 *
 * Errors: a call returning solo5_result_t returns SOLO5_R_OK on success
 * and, unless its comment says otherwise, nothing else that a program may
 * rely on: an implementation may abort the unikernel rather than return
 * SOLO5_R_EINVAL or SOLO5_R_EUNSPEC. The other calls either always succeed
 * or abort. Using a device that the manifest does not declare aborts.
 */
#ifndef SOLO5_H_INCLUDED
#define SOLO5_H_INCLUDED

/* As Solo5's header: programs written for Solo5 may use bool, size_t and
 * the fixed-width types without including these themselves. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Results of the calls that can fail. Callers may rely on OK and AGAIN;
 * EINVAL and EUNSPEC say only that the call was refused. */
typedef enum {
    SOLO5_R_OK = 0, /* the call succeeded */
    SOLO5_R_AGAIN,  /* nothing to do now (no frame waiting, queue full) */
    SOLO5_R_EINVAL, /* the arguments were refused */
    SOLO5_R_EUNSPEC /* the operation failed for another reason */
} solo5_result_t;

/* The start info handed to solo5_app_main(), read-only: the command line
 * as one string (the unikernel's own arguments, separated by spaces) and
 * the one region of memory, [heap_start, heap_start + heap_size), that the
 * unikernel may use for its heap and stacks as it sees fit. The initial
 * stack grows down from the end of that region. A program may assume
 * nothing else about where its code and data are. */
struct solo5_start_info {
    const char *cmdline;
    uintptr_t heap_start;
    size_t heap_size;
};

/* The application's entry point, written by the application. Returning
 * from it is solo5_exit() with its return value. */
int solo5_app_main(const struct solo5_start_info *info);

/* Exit statuses. Statuses of 255 and above are Solo5's own. */
#define SOLO5_EXIT_SUCCESS 0
#define SOLO5_EXIT_FAILURE 1
#define SOLO5_EXIT_ABORT 255

/* End the unikernel, returning (status) to the host where it can. */
void solo5_exit(int status) __attribute__((noreturn));

/* End the unikernel abnormally, returning SOLO5_EXIT_ABORT to the host
 * where it can. A tender may act on it further (a core file). */
void solo5_abort(void) __attribute__((noreturn));

/* Thread-local storage, local-exec model only: a block of
 * solo5_tls_size() free bytes (zeroed: the program's .tbss is not
 * cleared) is prepared by solo5_tls_init(), and becomes the current one
 * with solo5_set_tls_base(solo5_tls_tp_offset(block)). Switching blocks
 * switches the values of every __thread variable. There is still one CPU:
 * this serves language runtimes that want per-thread state.
 *
 * NOTE: on the hosted and sim platforms the host's C library owns the TLS
 * base of the process (its errno and stack-protector canary live there):
 * solo5_tls_size(), solo5_tls_tp_offset() and solo5_tls_init() work as on
 * Solo5, over the program's own TLS segment, but solo5_set_tls_base()
 * answers SOLO5_R_EUNSPEC and changes nothing, as Solo5 does on a target
 * that cannot set it. */

/* The size in bytes of a TLS block: the program's .tdata and .tbss and
 * the architecture's thread control block. */
size_t solo5_tls_size(void);

/* The thread pointer of the TLS block at (tls): the value to give
 * solo5_set_tls_base(). */
uintptr_t solo5_tls_tp_offset(uintptr_t tls);

/* Prepare the TLS block at (tls), already allocated: copy the initial
 * values of .tdata into it and set its thread pointer. SOLO5_R_EINVAL when
 * (tls) does not meet the architecture's requirements (NULL). */
solo5_result_t solo5_tls_init(uintptr_t tls);

/* Set the architecture's TLS base register to (base). SOLO5_R_EINVAL when
 * (base) does not meet the architecture's requirements. */
solo5_result_t solo5_set_tls_base(uintptr_t base);

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

/* Open the net device declared as (name) in the manifest: its handle in
 * (*handle), its MAC address and MTU in (*info). Once per name: a second
 * acquire of the same name is SOLO5_R_EINVAL. */
solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
                                 struct solo5_net_info *info);

/* Send one Ethernet frame of (size) bytes, its header included, at most
 * mtu + SOLO5_NET_HLEN, without blocking. A frame that the host has no
 * room for may be dropped, as on a cable; where a backend answers
 * SOLO5_R_AGAIN instead (virtio), the frame was not sent and the call
 * should be retried. */
solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf,
                               size_t size);

/* Receive one Ethernet frame into (buf) of (size) bytes, at least
 * mtu + SOLO5_NET_HLEN, setting (*read_size) to its length, header
 * included. Never blocks: SOLO5_R_AGAIN when no frame is waiting. */
solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf, size_t size,
                              size_t *read_size);

/* Block devices. */
typedef uint64_t solo5_off_t;

struct solo5_block_info {
    solo5_off_t capacity;   /* bytes */
    solo5_off_t block_size; /* bytes of the unit of I/O */
};

/* Open the block device declared as (name) in the manifest: its handle in
 * (*handle), its capacity and block size in (*info). Once per name: a
 * second acquire of the same name is SOLO5_R_EINVAL. */
solo5_result_t solo5_block_acquire(const char *name, solo5_handle_t *handle,
                                   struct solo5_block_info *info);

/* Write (size) bytes at (offset), all of them or none (no short write).
 * (offset) and (size) must be multiples of the block size, inside the
 * capacity; otherwise SOLO5_R_EINVAL.
 * NOTE: as on every Solo5 target today, (size) is at most one block. */
solo5_result_t solo5_block_write(solo5_handle_t handle, solo5_off_t offset,
                                 const uint8_t *buf, size_t size);

/* Read (size) bytes at (offset), all of them (no short read), with the
 * same rules as the write. */
solo5_result_t solo5_block_read(solo5_handle_t handle, solo5_off_t offset,
                                uint8_t *buf, size_t size);

#endif /* SOLO5_H_INCLUDED */
