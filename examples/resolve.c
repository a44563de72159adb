/*
 * resolve - names to addresses with the library's resolver
 * (miou_dns_resolve()), then, with --connect, a connection by name
 * (miou_tcp_connect_name(), Happy Eyeballs).
 *
 *   resolve NAME [NAME...] [--address=ADDRESS] [--prefix=BITS]
 *           [--gateway=ADDRESS] [--dhcp] [--ipv6] [--ipv6-address=ADDRESS]
 *           [--ipv6-gateway=ADDRESS] [--dns=ADDRESS] [--connect=PORT]
 *           [--timeout=S] [--bench=N]
 *
 * (the table options[] below says what each means; --help prints it).
 * For each name it prints "resolve: NAME has ADDRESS..." (IPv6 first),
 * or why not; with --connect=PORT it connects to the first name's PORT
 * and prints "resolve: connected to NAME port PORT at ADDRESS", then
 * reads what the server says until it closes. The DNS server is
 * --dns's, else the DHCP lease's. With --bench=N it resolves the first
 * name N times with the cache flushed before each (every time a query to
 * the server), then N times from the cache, and prints how many per
 * second. Exit status 0 when everything asked for worked.
 *
 *   ip netns exec ns build/hosted/examples/resolve --net:service=tap0 -- \
 *       www.example.test --dns=10.0.0.1 --connect=80
 */
#include <string.h>

#include <miou.h>
#include <miou_tcpip.h>

#include "lib/args.h"
#include "lib/console.h"
#include "lib/tcpip_args.h"

#define SECOND 1000000000ull
#define NAMES 4
#define NAME_MAX 254
#define ADDRS 16

static struct {
    struct miou_tcpip_config ip;
    char names[NAMES][NAME_MAX + 1];
    uint64_t port, timeout, bench;
    miou_tcpip *stack;
} opt = {.ip = {.device = "service",
                .address = MIOU_IPV4(10, 0, 0, 2),
                .netmask = MIOU_IPV4(255, 255, 255, 0)},
         .timeout = 10 * SECOND};

/* A word as a name to resolve (struct arg's parse): 0, or -1. */
static int a_name(const char *s, size_t len, void *to)
{
    if (len == 0 || len > NAME_MAX)
        return -1;
    memcpy(to, s, len);
    ((char *)to)[len] = '\0';
    return 0;
}

/* The command line, read by args_read() (lib/args.h). */
static const struct arg options[] = {
    {"NAME", "a name to resolve", .parse = a_name, .to = opt.names[0],
     .accepts = "a name of at most 254 bytes", .required = 1, .value = "NAME"},
    {"NAME2", "another", .parse = a_name, .to = opt.names[1],
     .accepts = "a name of at most 254 bytes"},
    {"NAME3", "another", .parse = a_name, .to = opt.names[2],
     .accepts = "a name of at most 254 bytes"},
    {"NAME4", "another", .parse = a_name, .to = opt.names[3],
     .accepts = "a name of at most 254 bytes"},
    {"--address", "the interface's IPv4 address (10.0.0.2)",
     .ipv4 = &opt.ip.address},
    TCPIP_ARGS(opt.ip),
    {"--dns", "the DNS server (the DHCP lease's)", .parse = tcpip_args_ipaddr,
     .to = &opt.ip.dns[0], .accepts = "an IPv4 or IPv6 address"},
    {"--connect", "then connect to this port of the first name (no)",
     .number = &opt.port, .min = 1, .max = 65535},
    {"--timeout", "give each name S seconds (10)", .number = &opt.timeout,
     .decimals = 9, .min = 1, .max = UINT64_MAX / 4, .value = "S"},
    {"--bench", "resolve the first name N times without, then with the cache",
     .number = &opt.bench, .max = 10000000},
    {0},
};

static uint64_t in(uint64_t ns)
{
    return miou_clock_monotonic() + ns;
}

/* Resolve (name) and say what it has: 0, or 1. */
static int show(const char *name)
{
    miou_ipaddr a[ADDRS];
    char line[CONSOLE_LINE_MAX], text[MIOU_IPADDR_STRLEN];
    int n = miou_dns_resolve(opt.stack, name, MIOU_DNS_A | MIOU_DNS_AAAA, a,
                             ADDRS, in(opt.timeout));
    if (n < 0) {
        say("resolve: %s: %s (%s)\n", name, miou_strerror(n), miou_errname(n));
        return 1;
    }
    size_t used = (size_t)snprintf(line, sizeof line, "%s has", name);
    for (int i = 0; i < n && used < sizeof line; i++)
        used += (size_t)snprintf(line + used, sizeof line - used, " %s",
                                 miou_ipaddr_format(&a[i], text, sizeof text));
    say("resolve: %s\n", line);
    return 0;
}

/* Connect by name, say where to, and read what comes until the end. */
static int connect_to(const char *name)
{
    miou_tcp *c;
    miou_ipaddr peer;
    char text[MIOU_IPADDR_STRLEN], buf[256];
    uint64_t t0 = miou_clock_monotonic();
    int rc = miou_tcp_connect_name(opt.stack, name, (uint16_t)opt.port,
                                   in(opt.timeout), &c);
    if (rc != 0)
        return fail("cannot connect", rc);
    miou_tcp_peer(c, &peer, NULL);
    say("resolve: connected to %s port %u at %s in %llu ms\n", name,
        (unsigned)opt.port, miou_ipaddr_format(&peer, text, sizeof text),
        (unsigned long long)((miou_clock_monotonic() - t0) / 1000000));
    long n;
    size_t got = 0;
    while ((n = miou_tcp_read(c, buf, sizeof buf - 1, in(opt.timeout))) > 0) {
        buf[n] = '\0';
        if (got == 0)
            say("resolve: the server says: %s%s", buf,
                buf[n - 1] == '\n' ? "" : "\n");
        got += (size_t)n;
    }
    miou_tcp_close(c);
    return n == 0 ? 0 : fail("the connection broke", (int)n);
}

/* (n) resolutions of (name) with the cache flushed before each when
 * (cold): how many a second, or 0 when one failed. */
static uint64_t rate(const char *name, uint64_t n, int cold)
{
    miou_ipaddr a[ADDRS];
    uint64_t t0 = miou_clock_monotonic();
    for (uint64_t i = 0; i < n; i++) {
        if (cold)
            miou_dns_flush(opt.stack);
        if (miou_dns_resolve(opt.stack, name, MIOU_DNS_A | MIOU_DNS_AAAA, a,
                             ADDRS, in(opt.timeout)) <= 0)
            return 0;
    }
    uint64_t ns = miou_clock_monotonic() - t0;
    return ns ? n * SECOND / ns : n * SECOND;
}

static void *main_task(void *arg)
{
    int *status = arg;
    miou_task *watch = NULL;
    int rc = miou_tcpip_open(&opt.ip, &opt.stack);
    if (rc != 0) {
        *status = fail("cannot start the stack", rc);
        return NULL;
    }
    /* A DHCP lease may take a few seconds. */
    rc = miou_tcpip_wait_address(opt.stack, in(30 * SECOND));
    if (rc == 0)
        rc = miou_async(&watch, tcpip_args_watch, opt.stack);
    if (rc != 0) {
        *status = fail("no address", rc);
    } else {
        for (int i = 0; i < NAMES && opt.names[i][0]; i++)
            *status |= show(opt.names[i]);
        if (*status == 0 && opt.port)
            *status = connect_to(opt.names[0]);
        if (*status == 0 && opt.bench) {
            uint64_t cold = rate(opt.names[0], opt.bench, 1);
            uint64_t warm = rate(opt.names[0], opt.bench, 0);
            say("resolve: %llu resolutions of %s: %llu a second from the "
                "server (cache flushed), %llu from the cache\n",
                (unsigned long long)opt.bench, opt.names[0],
                (unsigned long long)cold, (unsigned long long)warm);
            *status = cold == 0 || warm == 0;
        }
    }
    if (watch)
        miou_cancel(watch);
    miou_tcpip_close(opt.stack);
    return NULL;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    return example_main(si, "resolve", options, main_task);
}
