/*
 * echo_client - the other end of examples/echo.c: connects to an echo
 * server, sends bytes over several connections at once, each from a task
 * that writes while another reads the echo back, and checks every byte.
 * Also sends UDP datagrams and checks their echoes.
 *
 *   echo_client SERVER [ADDRESS] [--prefix=BITS] [--ipv6]
 *               [--ipv6-address=ADDRESS] [--connections=N] [--bytes=N]
 *               [--datagrams=N] [--port=N]
 *
 * SERVER is an IPv4 or an IPv6 address (the server's --ipv6-address, or
 * its link-local one with --ipv6).
 *
 * (the table options[] below says what each means; --help prints it).
 *
 * Two hosted unikernels talk without privileges over UNIX sockets, each
 * naming the other's socket as its peer:
 *
 *   build/hosted/examples/echo --net:service=unix:/tmp/a,/tmp/b -- 10.0.0.2 &
 *   build/hosted/examples/echo_client --net:service=unix:/tmp/b,/tmp/a \
 *       -- 10.0.0.2
 *
 * It prints one line per check and exits 0 when every byte came back.
 */
#include <string.h>

#include <miou.h>
#include <miou_tcpip.h>

#include "lib/args.h"
#include "lib/console.h"
#include "lib/netstack.h"
#include "lib/tcpip_args.h"

#define SECOND 1000000000ull
#define MAX_CONNECTIONS 64
#define CHUNK 4096

static struct {
    struct miou_tcpip_config ip;
    miou_ipaddr server;
    uint64_t port, connections, bytes, datagrams;
} opt = {.ip = {.device = "service",
                .address = MIOU_IPV4(10, 0, 0, 3),
                .netmask = MIOU_IPV4(255, 255, 255, 0)},
         .port = 7,
         .connections = 4,
         .bytes = 1 << 20,
         .datagrams = 10};

/* The command line, read by args_read() (lib/args.h). */
static const struct arg options[] = {
    {"SERVER", "the server's address (IPv4 or IPv6)",
     .parse = tcpip_args_ipaddr, .to = &opt.server,
     .accepts = "an IPv4 or IPv6 address", .required = 1},
    {"ADDRESS", "our own address (10.0.0.3)", .ipv4 = &opt.ip.address},
    {"--prefix", "the netmask, as a prefix length (24)",
     .netmask = &opt.ip.netmask},
    {"--ipv6", "with IPv6: a link-local address, and addresses from routers",
     .flag = &opt.ip.ipv6},
    {"--ipv6-address", "a static IPv6 address, its /64 on the link (none)",
     .parse = tcpip_args_ipv6, .to = &opt.ip.address6,
     .accepts = "an IPv6 address"},
    {"--connections", "TCP connections at once (4)", .number = &opt.connections,
     .max = MAX_CONNECTIONS},
    {"--bytes", "bytes sent on each (1048576)", .number = &opt.bytes,
     .max = UINT64_MAX / 2},
    {"--datagrams", "UDP datagrams, one at a time (10)",
     .number = &opt.datagrams, .max = 1000000},
    {"--port", "the server's port (7)", .number = &opt.port, .min = 1,
     .max = 65535},
    {0},
};

static miou_tcpip *stack;

/* The byte at (pos) of connection (conn)'s stream. */
static uint8_t byte_at(uint64_t conn, uint64_t pos)
{
    uint64_t x = (pos + 1) * 0x9e3779b97f4a7c15ull ^ (conn << 40);
    return (uint8_t)(x >> 56);
}

struct stream {
    uint64_t id;
    miou_tcp *c;
    int err;        /* the first error, MIOU_E* */
    uint64_t moved; /* bytes written, or read and checked */
};

static void *writer(void *arg)
{
    struct stream *s = arg;
    uint8_t buf[CHUNK];
    while (s->moved < opt.bytes) {
        size_t n = opt.bytes - s->moved < CHUNK ? opt.bytes - s->moved : CHUNK;
        for (size_t i = 0; i < n; i++)
            buf[i] = byte_at(s->id, s->moved + i);
        long r =
            miou_tcp_write(s->c, buf, n, miou_clock_monotonic() + 30 * SECOND);
        if (r < 0) {
            s->err = (int)r;
            return NULL;
        }
        s->moved += n;
    }
    s->err = miou_tcp_shutdown(s->c);
    return NULL;
}

static void *reader(void *arg)
{
    struct stream *s = arg;
    uint8_t buf[CHUNK];
    for (;;) {
        long r = miou_tcp_read(s->c, buf, sizeof buf,
                               miou_clock_monotonic() + 30 * SECOND);
        if (r < 0) {
            s->err = (int)r;
            return NULL;
        }
        if (r == 0)
            break;
        for (long i = 0; i < r; i++)
            if (buf[i] != byte_at(s->id, s->moved + (uint64_t)i)) {
                s->err = MIOU_EIO;
                return NULL;
            }
        s->moved += (uint64_t)r;
    }
    if (s->moved != opt.bytes)
        s->err = MIOU_EIO;
    return NULL;
}

/* Every connection at once: a writer and a reader each. */
static int tcp_check(void)
{
    static struct stream out[MAX_CONNECTIONS], back[MAX_CONNECTIONS];
    miou_task *tasks[2 * MAX_CONNECTIONS] = {0};
    size_t n = 0;
    int err = 0;
    for (uint64_t i = 0; i < opt.connections && err == 0; i++) {
        miou_tcp *c;
        err = miou_tcp_connect(stack, &opt.server, (uint16_t)opt.port,
                               miou_clock_monotonic() + 10 * SECOND, &c);
        if (err)
            break;
        out[i] = (struct stream){i, c, 0, 0};
        back[i] = (struct stream){i, c, 0, 0};
        if ((err = miou_async(&tasks[n], writer, &out[i])) == 0)
            n++;
        if (err == 0 && (err = miou_async(&tasks[n], reader, &back[i])) == 0)
            n++;
    }
    miou_await_all(tasks, n, NULL, NULL);
    uint64_t total = 0;
    for (size_t i = 0; i < n / 2; i++) {
        if (err == 0)
            err = out[i].err ? out[i].err : back[i].err;
        total += back[i].moved;
        miou_tcp_close(out[i].c);
    }
    say("echo_client: tcp: %llu connections, %llu bytes echoed: %s\n",
        (unsigned long long)opt.connections, (unsigned long long)total,
        err ? miou_strerror(err) : "ok");
    return err;
}

static int udp_check(void)
{
    miou_udp *u;
    int err = miou_udp_bind(stack, 0, 0, &u);
    uint64_t good = 0;
    for (uint64_t i = 0; i < opt.datagrams && err == 0; i++) {
        char msg[64], buf[64];
        int len =
            snprintf(msg, sizeof msg, "datagram %llu", (unsigned long long)i);
        /* A datagram may be lost (ARP, a full queue): three tries. */
        for (int attempt = 0; attempt < 3; attempt++) {
            err = miou_udp_send(u, &opt.server, (uint16_t)opt.port, msg,
                                (size_t)len);
            if (err)
                break;
            long r = miou_udp_recv(u, buf, sizeof buf, NULL, NULL,
                                   miou_clock_monotonic() + SECOND);
            if (r == len && memcmp(buf, msg, (size_t)len) == 0) {
                good++;
                break;
            }
            err = r < 0 ? (int)r : MIOU_EIO;
        }
    }
    if (err == 0 || good == opt.datagrams)
        err = 0;
    miou_udp_close(u);
    say("echo_client: udp: %llu of %llu datagrams echoed: %s\n",
        (unsigned long long)good, (unsigned long long)opt.datagrams,
        err ? miou_strerror(err) : "ok");
    return err;
}

static void *main_task(void *arg)
{
    int *status = arg;
    int err = miou_tcpip_open(&opt.ip, &stack);
    if (err) {
        *status = fail("cannot start the stack", err);
        return NULL;
    }
    int tcp = tcp_check();
    int udp = udp_check();
    miou_tcpip_close(stack);
    struct miou_tcpip_stats st;
    miou_tcpip_stats(NULL, &st);
    say("echo_client: lwIP holds %u connections, %u pbufs\n",
        (unsigned)st.tcp_pcbs, (unsigned)st.pbufs);
    *status = tcp != 0 || udp != 0 || st.tcp_pcbs != 0 || st.pbufs != 0;
    return NULL;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    return example_main(si, "echo_client", options, main_task);
}
