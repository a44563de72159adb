/*
 * hosted.h - what the files of the hosted platform share.
 *
 * The hosted platform is an ordinary Linux process that plays the tender's
 * role: miou_hosted_main() reads the tender's options, attaches the devices
 * of the unikernel's manifest, maps the heap and calls solo5_app_main();
 * the other files implement the Solo5 calls with the C library. Nothing
 * outside src/platform/hosted/ may include this header.
 */
#ifndef MIOU_HOSTED_H
#define MIOU_HOSTED_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>

#include <solo5.h>

#include "platform/linux/tender.h"

/* The hosted tender's options (options.c), for tender_parse(). */
extern const struct tender_option hosted_options[];

/* Write the (n) bytes of (buf) to (fd), going on after interruptions and
 * short writes; gives up silently on any other error. */
void hosted_write_all(int fd, const char *buf, size_t n);

/* The platform's own messages (banner.c): which are printed, from the
 * leading --solo5: words (the tender's command line, src/platform/linux/tender_*.c
 * cmdline.c). */
void hosted_log_set_level(enum tender_log_level level);

/* A message to standard error when the level allows (printf format). */
void hosted_log(enum tender_log_level at, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The heap of the core's allocations (heap.c): laid over the --mem region
 * before solo5_app_main() (0, or -1 when the region is too small), and
 * forgotten after it. */
int hosted_heap_open(void *mem, size_t size);
void hosted_heap_close(void);

/* SIGUSR1 prints the live tasks: install the handler (debug.c)... */
void hosted_debug_init(void);
/* ...and print them if asked, from solo5_yield(). */
void hosted_debug_poll(void);

/* ---- Devices ---------------------------------------------------------- */

/* Solo5's limits: a manifest holds at most 64 entries, the first reserved,
 * so that every handle (the entry's index) fits the 64-bit ready set; a
 * name has at most 67 characters. */
#define HOSTED_MAX_DEVICES 63
#define HOSTED_NAME_MAX 67

/* MTU of the backends that have no interface to ask (unix:, @NN). */
#define HOSTED_DEFAULT_MTU 1500u

/* Sector sizes accepted by --block-sector-size. */
#define HOSTED_SECTOR_DEFAULT 512u
#define HOSTED_SECTOR_MAX (1u << 20)

enum hosted_dev_type { HOSTED_NET, HOSTED_BLOCK };

/* Which file a path named (unixnet.c), to see whether another took its
 * place. */
struct hosted_file_id {
    dev_t dev;
    ino_t ino;
    struct timespec ctime;
};

/* How a net device reaches the host. */
enum hosted_net_kind {
    HOSTED_NET_TAP,    /* a TAP interface opened through /dev/net/tun */
    HOSTED_NET_TAPFD,  /* @NN: an open TAP descriptor */
    HOSTED_NET_SOCKET, /* @NN: a connected datagram socket */
    HOSTED_NET_UNIX    /* unix:LOCAL,PEER */
};

/* One entry of the manifest; its handle is its index in the table. */
struct hosted_device {
    char name[HOSTED_NAME_MAX + 1];
    enum hosted_dev_type type;

    /* The value of the option that attached it (NULL when absent). */
    const char *attach;

    /* Set by hosted_devices_attach(). */
    int fd;       /* -1 until attached; the descriptor polled and read */
    int acquired; /* set once by the first acquire (atomically) */

    /* Net devices. */
    enum hosted_net_kind kind;
    uint8_t mac[SOLO5_NET_ALEN];
    int mac_given;
    size_t mtu;
    struct sockaddr_un peer; /* unix: where frames go */
    socklen_t peer_len;
    int connected; /* unix: to a socket at PEER */
    /* unix: the socket file we bound ("" once removed), and which file it
     * was, so that only ours is removed at the end. */
    char local[sizeof(((struct sockaddr_un *)0)->sun_path)];
    struct hosted_file_id local_id;

    /* Block devices. */
    uint64_t sector_size;
    uint64_t capacity;
};

/* The table: entries 1 .. hosted_ndevices, in manifest order. */
extern struct hosted_device hosted_devices[HOSTED_MAX_DEVICES + 1];
extern size_t hosted_ndevices;

/* Fill the table from the manifest linked into the program (none: no
 * devices). 0, or 1 after printing why the manifest is unusable. */
int hosted_manifest_load(const char *prog);

/* The entry declared as (name), or NULL. */
struct hosted_device *hosted_device_find(const char *name);

/* The entry of (handle) when it is an attached, acquired device of
 * (type); NULL otherwise. Inline: it is on the path of every frame and
 * every block. */
static inline struct hosted_device *hosted_device_of(solo5_handle_t handle,
                                                     enum hosted_dev_type type)
{
    struct hosted_device *d;

    if (handle == 0 || handle > hosted_ndevices)
        return NULL;
    d = &hosted_devices[handle];
    if (d->type != type || d->fd < 0 ||
        !__atomic_load_n(&d->acquired, __ATOMIC_ACQUIRE))
        return NULL;
    return d;
}

/* Print "PROG: device 'NAME': " and the rest (printf format) on standard
 * error, as one line. */
void hosted_device_error(const char *prog, const struct hosted_device *d,
                         const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Option handlers for --net:, --net-mac:, --block:, --block-sector-size:
 * (devopts.c), for options.c's table. */
int hosted_opt_net(struct tender *t, const struct tender_arg *a);
int hosted_opt_net_mac(struct tender *t, const struct tender_arg *a);
int hosted_opt_block(struct tender *t, const struct tender_arg *a);
int hosted_opt_sector_size(struct tender *t, const struct tender_arg *a);

/* Print the devices of the manifest, for --help. */
void hosted_devices_help(void);

/* Check that every declared device was attached, then open them all. 0,
 * or 1 after printing the first problem (devices opened so far stay open
 * until hosted_devices_release()). */
int hosted_devices_attach(const char *prog);

/* Close every device and forget the table, so that the tender may run
 * again in the same process. */
void hosted_devices_release(void);

/* Backends: each opens (d) from d->attach (the TAP descriptor (fd) for
 * the second), filling its descriptor, kind and MTU; 0, or 1 after
 * printing why not. */
int hosted_tap_attach(const char *prog, struct hosted_device *d);
int hosted_tapfd_attach(const char *prog, struct hosted_device *d, int fd);
int hosted_fd_attach(const char *prog, struct hosted_device *d);
int hosted_unix_attach(const char *prog, struct hosted_device *d);
int hosted_block_attach(const char *prog, struct hosted_device *d);

/* Remove the socket file the unix backend bound (at release and at
 * exit). */
void hosted_unix_unlink(struct hosted_device *d);

/* MAC addresses: parse "xx:xx:xx:xx:xx:xx" into (mac), 0 or -1; make up a
 * locally administered unicast address for the device at (index). */
int hosted_mac_parse(const char *s, uint8_t mac[SOLO5_NET_ALEN]);
void hosted_mac_make(size_t index, uint8_t mac[SOLO5_NET_ALEN]);

/* Frame I/O by backend, after net.c has checked the arguments. */
solo5_result_t hosted_tap_read(struct hosted_device *d, uint8_t *buf,
                               size_t size, size_t *read_size);
solo5_result_t hosted_tap_write(struct hosted_device *d, const uint8_t *buf,
                                size_t size);
solo5_result_t hosted_sock_read(struct hosted_device *d, uint8_t *buf,
                                size_t size, size_t *read_size);

/* What became of a frame sent on a connected datagram socket. */
enum hosted_send {
    HOSTED_SENT,  /* gone whole */
    HOSTED_FULL,  /* the receiver had no room, even after a short wait */
    HOSTED_GONE,  /* nobody at the other end: the frame is lost */
    HOSTED_FAILED /* anything else */
};
enum hosted_send hosted_sock_send(int fd, const uint8_t *buf, size_t size);
/* The unix backend's write: to whatever socket is at PEER. */
solo5_result_t hosted_unix_write(struct hosted_device *d, const uint8_t *buf,
                                 size_t size);

/* Point the unix backend's socket at the socket now bound at PEER (a peer
 * may have come, gone or restarted): at acquire, at writes that find
 * nobody, and before solo5_yield() waits. */
void hosted_unix_refresh(struct hosted_device *d);

/* solo5_yield() waits on the acquired net devices:
 * add one (at acquire time, so that a yield allocates nothing)... */
void hosted_yield_watch(int fd, solo5_handle_t handle);
/* ...and forget them all (at release). */
void hosted_yield_forget_all(void);

#endif
