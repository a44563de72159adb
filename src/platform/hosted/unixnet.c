/*
 * unixnet.c - the unprivileged net backend, --net:NAME=unix:LOCAL,PEER:
 * a virtual cable made of local datagram sockets, one frame per datagram.
 * Frames come in on a socket bound at the path LOCAL and go out from it to
 * the socket bound at the path PEER, if any (unixpeer.c). Two unikernels
 * are cabled together with unix:a,b and unix:b,a; a test can play the
 * other end with a socket of its own. No privilege, no interface, no
 * traffic outside the machine.
 *
 * This file sets the socket up at start-up, and removes its file at the
 * end. A file left at LOCAL by a program that was killed is replaced; one
 * that a live program listens on is not.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hosted.h"

/* Which file a path named, to remove the socket file at the end only if
 * it is still ours. The inode number alone cannot tell: a file system may
 * give a new file the number of one just removed. */
static struct hosted_file_id file_id(const struct stat *st)
{
    struct hosted_file_id id = {st->st_dev, st->st_ino, st->st_ctim};

    return id;
}

static int same_file(const struct hosted_file_id *a,
                     const struct hosted_file_id *b)
{
    return a->dev == b->dev && a->ino == b->ino &&
           a->ctime.tv_sec == b->ctime.tv_sec &&
           a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* Socket buffers for a few hundred frames of 1514 bytes (the kernel counts
 * its own overhead too). */
#define SOCK_BUFFER (1 << 20)

/* Fill (sun) with (path): 0, or 1 when it does not fit. */
static int set_path(struct sockaddr_un *sun, socklen_t *len, const char *path,
                    size_t n)
{
    if (n == 0 || n >= sizeof sun->sun_path)
        return 1;
    memset(sun, 0, sizeof *sun);
    sun->sun_family = AF_UNIX;
    memcpy(sun->sun_path, path, n);
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
    return 0;
}

static int new_socket(void)
{
    return socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

/* Ask for big buffers; the privileged variant passes the system's
 * ceiling, the plain one is capped by it. Best effort: small buffers only
 * make the device answer SOLO5_R_AGAIN sooner. */
static void grow_buffer(int fd, int force, int plain)
{
    int size = SOCK_BUFFER;

    if (setsockopt(fd, SOL_SOCKET, force, &size, sizeof size) != 0)
        (void)setsockopt(fd, SOL_SOCKET, plain, &size, sizeof size);
}

/* Make (local) free to bind: nothing there, or a socket that nobody
 * listens on any more (left by a program that was killed), which is
 * removed. 0, or 1 after printing why not. */
static int clear_local(const char *prog, const struct hosted_device *d,
                       const struct sockaddr_un *local, socklen_t len)
{
    struct stat st;
    int probe, rc, err;

    if (lstat(local->sun_path, &st) != 0)
        return 0;
    if (!S_ISSOCK(st.st_mode)) {
        hosted_device_error(prog, d, "'%s' exists and is not a socket",
                            local->sun_path);
        return 1;
    }
    /* A connect() is the only way to know whether a program is behind
     * the socket file; on a datagram socket it sends nothing. */
    probe = new_socket();
    if (probe < 0) {
        hosted_device_error(prog, d, "cannot make a socket: %s",
                            strerror(errno));
        return 1;
    }
    rc = connect(probe, (const struct sockaddr *)local, len);
    err = errno;
    close(probe);
    if (rc != 0 && err == ECONNREFUSED) {
        if (unlink(local->sun_path) == 0 || errno == ENOENT)
            return 0;
        hosted_device_error(prog, d, "cannot remove stale socket '%s': %s",
                            local->sun_path, strerror(errno));
        return 1;
    }
    if (rc == 0 || err == EPERM || err == EPROTOTYPE || err == EAGAIN)
        hosted_device_error(prog, d,
                            "socket '%s' is in use by another "
                            "program",
                            local->sun_path);
    else
        hosted_device_error(prog, d, "cannot use socket '%s': %s",
                            local->sun_path, strerror(err));
    return 1;
}

/* Bind the receiving socket at (local): 0, or 1 after printing why not. */
static int bind_local(const char *prog, struct hosted_device *d,
                      const struct sockaddr_un *local, socklen_t len)
{
    struct stat st;

    if (clear_local(prog, d, local, len) != 0)
        return 1;
    d->fd = new_socket();
    if (d->fd < 0) {
        hosted_device_error(prog, d, "cannot make a socket: %s",
                            strerror(errno));
        return 1;
    }
    if (bind(d->fd, (const struct sockaddr *)local, len) != 0) {
        hosted_device_error(prog, d, "cannot bind socket '%s': %s",
                            local->sun_path, strerror(errno));
        return 1;
    }
    /* Remember which file is ours: only that one is removed at the end,
     * not one that another program put at the same path since. */
    if (lstat(local->sun_path, &st) == 0) {
        strcpy(d->local, local->sun_path);
        d->local_id = file_id(&st);
    }
    grow_buffer(d->fd, SO_RCVBUFFORCE, SO_RCVBUF);
    return 0;
}

int hosted_unix_attach(const char *prog, struct hosted_device *d)
{
    const char *spec = d->attach + 5; /* after "unix:" */
    const char *comma = strchr(spec, ',');
    struct sockaddr_un local;
    socklen_t local_len;

    if (comma == NULL || comma == spec || comma[1] == '\0') {
        hosted_device_error(prog, d,
                            "invalid unix backend '%s' "
                            "(unix:LOCAL,PEER)",
                            d->attach);
        return 1;
    }
    if (set_path(&local, &local_len, spec, (size_t)(comma - spec)) != 0 ||
        set_path(&d->peer, &d->peer_len, comma + 1, strlen(comma + 1)) != 0) {
        hosted_device_error(prog, d,
                            "socket path too long in '%s' (at most "
                            "%zu bytes each)",
                            d->attach, sizeof local.sun_path - 1);
        return 1;
    }
    if (bind_local(prog, d, &local, local_len) != 0)
        return 1;
    grow_buffer(d->fd, SO_SNDBUFFORCE, SO_SNDBUF);
    d->kind = HOSTED_NET_UNIX;
    d->mtu = HOSTED_DEFAULT_MTU;
    hosted_unix_refresh(d);
    return 0;
}

void hosted_unix_unlink(struct hosted_device *d)
{
    struct stat st;

    if (d->local[0] == '\0')
        return;
    if (lstat(d->local, &st) == 0) {
        struct hosted_file_id id = file_id(&st);

        if (same_file(&id, &d->local_id))
            unlink(d->local);
    }
    d->local[0] = '\0';
}
