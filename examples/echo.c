/*
 * echo - TCP and UDP echo on port 7 (RFC 862) over the library's TCP/IP
 * stack (miou_tcpip.h): a task accepts connections and gives each one a
 * task of its own, which sends back what it reads until the peer closes;
 * another task sends every UDP datagram back to where it came from.
 *
 *   echo [ADDRESS] [--prefix=BITS] [--gateway=ADDRESS] [--dhcp] [--ipv6]
 *        [--ipv6-address=ADDRESS] [--ipv6-gateway=ADDRESS] [--port=N]
 *        [--seconds=S]
 *
 * (the table options[] below says what each means; --help prints it).
 *
 * At the end it closes everything, prints what it served, and checks
 * that lwIP holds nothing any more (exit status 1 otherwise).
 *
 *   ip netns exec ns build/hosted/examples/echo --net:service=tap0 -- 10.0.0.2
 *   ip netns exec ns sh -c 'echo hello | nc -q1 10.0.0.2 7'
 */
#include <stdlib.h>

#include <miou.h>
#include <miou_tcpip.h>

#include "lib/args.h"
#include "lib/console.h"
#include "lib/netstack.h"
#include "lib/tcpip_args.h"

#define SECOND 1000000000ull
#define BUF 16384
/* The stack of a connection's task: it uses about 1 KiB. */
#define CONN_STACK 4096

struct options {
    struct miou_tcpip_config ip;
    uint64_t port, duration;
};

static struct {
    struct options opt;
    miou_tcpip *stack;
    uint64_t connections, bytes, datagrams;
} echo = {.opt = {.ip = {.device = "service",
                         .address = MIOU_IPV4(10, 0, 0, 2),
                         .netmask = MIOU_IPV4(255, 255, 255, 0)},
                  .port = 7}};

/* The command line, read by args_read() (lib/args.h). */
static const struct arg options[] = {
    {"ADDRESS", "the interface's address (10.0.0.2)",
     .ipv4 = &echo.opt.ip.address},
    TCPIP_ARGS(echo.opt.ip),
    {"--port", "the port of both services (7)", .number = &echo.opt.port,
     .min = 1, .max = 65535},
    {"--seconds", "stop after S seconds (never)", .number = &echo.opt.duration,
     .decimals = 9, .max = UINT64_MAX / 2, .value = "S"},
    {0},
};

/* One connection: send back what arrives until the peer closes. Its
 * buffer is on the heap, so that its task needs a small stack (CONN_STACK;
 * --measure-stacks shows how much it uses). */
static void *serve(void *arg)
{
    miou_tcp *c = arg;
    char *mine = malloc(BUF);
    for (; mine;) {
        long n = miou_tcp_read(c, mine, BUF, MIOU_TCPIP_FOREVER);
        if (n <= 0)
            break;
        if (miou_tcp_write(c, mine, (size_t)n, MIOU_TCPIP_FOREVER) < 0)
            break;
        echo.bytes += (uint64_t)n;
    }
    free(mine);
    miou_tcp_close(c);
    return NULL;
}

/* Accept connections, a task each, collected as they end. Cancelled, it
 * ends and the runtime cancels and collects the connections' tasks. */
static void *tcp_service(void *arg)
{
    miou_tcp_listener *l = arg;
    miou_orphans orphans;
    miou_orphans_init(&orphans);
    for (;;) {
        miou_tcp *c;
        int rc = miou_tcp_accept(l, MIOU_TCPIP_FOREVER, &c);
        if (rc != 0)
            break;
        echo.connections++;
        struct miou_task_options opts = {CONN_STACK, "echo-conn"};
        if (miou_async_orphan(&orphans, NULL, &opts, serve, c) != 0)
            miou_tcp_close(c);
        miou_orphans_reap(&orphans);
    }
    return NULL;
}

static void *udp_service(void *arg)
{
    miou_udp *u = arg;
    static char buf[65536];
    for (;;) {
        miou_ipaddr from;
        uint16_t port;
        long n =
            miou_udp_recv(u, buf, sizeof buf, &from, &port, MIOU_TCPIP_FOREVER);
        if (n < 0)
            break;
        if ((size_t)n > sizeof buf)
            n = sizeof buf;
        echo.datagrams++;
        miou_udp_send(u, &from, port, buf, (size_t)n);
    }
    return NULL;
}

static void *main_task(void *arg)
{
    int *status = arg;
    miou_tcp_listener *l = NULL;
    miou_udp *u = NULL;
    miou_task *tcp = NULL, *udp = NULL, *watch = NULL;
    char a[256];
    int rc = miou_tcpip_open(&echo.opt.ip, &echo.stack);
    if (rc != 0) {
        *status = fail("cannot start the stack", rc);
        return NULL;
    }
    rc = miou_tcpip_wait_address(echo.stack, MIOU_TCPIP_FOREVER);
    if (rc == 0)
        rc = miou_tcp_listen(echo.stack, (uint16_t)echo.opt.port, 128, &l);
    if (rc == 0)
        rc = miou_udp_bind(echo.stack, (uint16_t)echo.opt.port, 0, &u);
    if (rc == 0)
        rc = miou_async(&tcp, tcp_service, l);
    if (rc == 0)
        rc = miou_async(&udp, udp_service, u);
    /* With IPv6, each address as it comes ("echo: address ..."). */
    if (rc == 0 && (echo.opt.ip.ipv6 || echo.opt.ip.address6.family))
        rc = miou_async(&watch, tcpip_args_watch, echo.stack);
    if (rc == 0) {
        say("echo: serving TCP and UDP port %u on %s\n",
            (unsigned)echo.opt.port,
            tcpip_args_addresses(echo.stack, a, sizeof a));
        if (echo.opt.duration)
            rc = miou_sleep(echo.opt.duration);
        else
            rc = miou_sleep(UINT64_MAX);
    }
    if (rc != 0 && rc != MIOU_ECANCELED)
        fail("cannot serve", rc);
    if (tcp)
        miou_cancel(tcp);
    if (udp)
        miou_cancel(udp);
    if (watch)
        miou_cancel(watch);
    if (l)
        miou_tcp_listener_close(l);
    if (u)
        miou_udp_close(u);
    struct miou_tcpip_stats st;
    miou_tcpip_close(echo.stack);
    miou_tcpip_stats(NULL, &st); /* lwIP's own counters, once closed */
    say("echo: %llu connections, %llu bytes echoed, %llu datagrams; "
        "lwIP holds %u connections, %u pbufs, %llu heap bytes\n",
        (unsigned long long)echo.connections, (unsigned long long)echo.bytes,
        (unsigned long long)echo.datagrams, (unsigned)st.tcp_pcbs,
        (unsigned)st.pbufs, (unsigned long long)st.heap_bytes);
    *status = (rc != 0 && rc != MIOU_ECANCELED) || st.tcp_pcbs != 0 ||
              st.tcp_listen_pcbs != 0 || st.udp_pcbs != 0 || st.pbufs != 0 ||
              st.segments != 0;
    return NULL;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    return example_main(si, "echo", options, main_task);
}
