/*
 * miou_tcpip.h - TCP/IP for unikernels: lwIP (2.2.1, Debian's source
 * package) driven by the scheduler, with calls that suspend only the
 * calling task (library libmiou-tcpip.a, a layer above miou.h).
 *
 * A stack runs over one net device: a task reads its frames and hands
 * them to lwIP, lwIP's timeouts run on the library's timers (a task that
 * sleeps until the next one; nothing polls), and frames leave through
 * the atomic miou_net_write(). Every call below is made from a task of
 * miou_run(); lwIP's state is the process's, so one stack is open at a
 * time, in one thread.
 *
 * Conventions, as in miou.h: 0 or a count on success, a negative MIOU_E*
 * code on failure (miou_strerror() describes it). Calls marked SUSPENDS
 * take a (deadline), an absolute time of the monotonic clock in ns
 * (MIOU_TCPIP_FOREVER: none), and return MIOU_ETIMEDOUT when it passes
 * and MIOU_ECANCELED when the calling task is cancelled. A cancelled or
 * timed-out call leaves nothing behind: a connection it was making is
 * aborted and freed; an object it was given stays the caller's, to close.
 *
 * The stack is dual: IPv4 (static or DHCP) and IPv6 (a link-local
 * address, addresses from routers' advertisements, static ones), with
 * neighbour discovery and ping on both. Connections, listeners and UDP
 * sockets take an address of either family (miou_ipaddr); a listener
 * and a UDP socket take both. Ports are in host byte order.
 */
#ifndef MIOU_TCPIP_H_INCLUDED
#define MIOU_TCPIP_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include <miou.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MIOU_TCPIP_FOREVER UINT64_MAX

/* ---- Addresses ---------------------------------------------------------- */

/* An IPv4 address in host byte order, as the configuration takes it. */
#define MIOU_IPV4(a, b, c, d)                                                  \
    (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) |    \
     (uint32_t)(d))

/* Parse a dotted quad ("10.0.0.2") into (*addr): 0 or MIOU_EINVAL. */
int miou_ipv4_parse(const char *text, uint32_t *addr);

/* Write (addr) as a dotted quad into (buf), at least 16 bytes; returns
 * buf. */
char *miou_ipv4_format(uint32_t addr, char *buf);

enum miou_ip_family {
    MIOU_IP_NONE = 0, /* no address */
    MIOU_IP_V4 = 4,
    MIOU_IP_V6 = 6
};

/* An address of either family, its bytes in network byte order (an IPv4
 * address in bytes[0..3], the rest 0). (zone) is the scope of an IPv6
 * link-local address, the index of an interface; the stack has one
 * interface, so any zone, 0 included, means it: the zone is kept and
 * written, never required. A zeroed miou_ipaddr is "no address". */
typedef struct miou_ipaddr {
    uint8_t family; /* enum miou_ip_family */
    uint8_t bytes[16];
    uint32_t zone;
} miou_ipaddr;

/* Room for any address as text, its zone and the NUL included. */
#define MIOU_IPADDR_STRLEN 58

/* The IPv4 address (a) (host byte order, MIOU_IPV4(10, 0, 0, 2)). */
miou_ipaddr miou_ipaddr_v4(uint32_t a);

/* (addr)'s IPv4 address in host byte order, 0 when it is not IPv4. */
uint32_t miou_ipaddr_get_v4(const miou_ipaddr *addr);

/* Parse (text) into (*addr): a dotted quad ("10.0.0.2") or an IPv6
 * address in any of RFC 4291's forms ("fd00::2", "::ffff:10.0.0.2",
 * "fe80::1%1", the zone a decimal index). 0, or MIOU_EINVAL (then
 * (*addr) is unchanged). */
int miou_ipaddr_parse(const char *text, miou_ipaddr *addr);

/* Write (addr) as text into (buf) of (size) bytes (MIOU_IPADDR_STRLEN
 * is always enough): a dotted quad, or IPv6 in RFC 5952's form (lower
 * case, the longest run of zeros as "::", "%ZONE" when the zone is not
 * 0); "none" for no address. Returns (buf); a (size) too small gives "". */
char *miou_ipaddr_format(const miou_ipaddr *addr, char *buf, size_t size);

/* 1 when (a) and (b) are the same address (their zones left aside). */
int miou_ipaddr_equal(const miou_ipaddr *a, const miou_ipaddr *b);

/* ---- The stack ---------------------------------------------------------- */

typedef struct miou_tcpip miou_tcpip;

/* DNS servers the configuration may name, at most. */
#define MIOU_DNS_SERVERS 3

struct miou_tcpip_config {
    const char *device; /* the net device's name in the manifest */
    /* IPv4: a static address (0: none) or DHCP. */
    uint32_t address; /* 0 with dhcp */
    uint32_t netmask;
    uint32_t gateway; /* 0: none */
    int dhcp;         /* 1: ask a DHCP server (address etc. ignored) */
    /* IPv6, when (ipv6) is 1 or (address6) is given: a link-local
     * address made from the MAC address (after duplicate address
     * detection, about a second), addresses from routers' advertisements
     * (SLAAC) and their routes, and (address6), a static address whose
     * /64 prefix is on the link (usable at once: no duplicate address
     * detection, as Linux's "nodad"). (gateway6): a router for other
     * networks when none advertises itself. */
    int ipv6;
    miou_ipaddr address6; /* family MIOU_IP_NONE: none */
    miou_ipaddr gateway6; /* family MIOU_IP_NONE: none */
    /* DNS servers for miou_dns_resolve(), in order; none given: those of
     * the DHCP lease. */
    miou_ipaddr dns[MIOU_DNS_SERVERS];
};

/* Acquire the device and start the stack over it: two tasks, children
 * of the caller (it must close the stack before it ends). MIOU_EBUSY when
 * a stack is already open, MIOU_EINVAL for a bad configuration (no
 * device, a netmask that is not a prefix), MIOU_ENOMEM, or
 * miou_net_acquire()'s error. */
int miou_tcpip_open(const struct miou_tcpip_config *config, miou_tcpip **stack);

/* SUSPENDS until the interface has the addresses its configuration asks
 * for: the IPv4 one (at once when static; with DHCP once a lease is
 * bound) and, with IPv6, the static one (at once) or, without one, the
 * link-local one (once duplicate address detection is done, a second or
 * two). Addresses from routers come when they do: miou_tcpip_addresses()
 * lists them. */
int miou_tcpip_wait_address(miou_tcpip *stack, uint64_t deadline);

/* SUSPENDS until the interface's addresses change: one comes (a lease,
 * a router's prefix), leaves its tentative state, or goes. Returns 0
 * (the caller looks with miou_tcpip_addresses()), MIOU_ETIMEDOUT,
 * MIOU_ECANCELED, or MIOU_ECONNABORTED once the stack is closed. */
int miou_tcpip_wait_change(miou_tcpip *stack, uint64_t deadline);

/* The interface's IPv4 address, netmask and gateway (0 before DHCP is
 * done, or without IPv4). */
int miou_tcpip_address(const miou_tcpip *stack, uint32_t *address,
                       uint32_t *netmask, uint32_t *gateway);

/* The interface's usable addresses, at most (max) into (addrs): the IPv4
 * one, then the IPv6 ones (link-local first; tentative ones, still under
 * duplicate address detection, left out). Returns how many there are
 * (possibly more than max), or MIOU_EINVAL. */
int miou_tcpip_addresses(const miou_tcpip *stack, miou_ipaddr *addrs,
                         size_t max);

/* Stop the stack: its tasks are cancelled and awaited, every connection,
 * listener and UDP socket still open is aborted (their objects must still
 * be closed by their owners, which then only frees them), connections
 * still closing (TIME-WAIT included) are dropped, and lwIP is left with
 * nothing in use. The stack's object is freed. Call it from the task
 * that opened the stack (its tasks are that task's children). */
int miou_tcpip_close(miou_tcpip *stack);

/* What lwIP has in use, from its own counters: for tests and leak hunts.
 * (stack) may be NULL (or closed): the counters are lwIP's, the process's,
 * and after miou_tcpip_close() every one of them is 0. */
struct miou_tcpip_stats {
    uint32_t tcp_pcbs; /* connections, including closing ones */
    uint32_t tcp_listen_pcbs;
    uint32_t udp_pcbs;
    uint32_t pbufs;      /* pool and reference packet buffers held */
    uint32_t segments;   /* TCP segments queued */
    uint64_t heap_bytes; /* lwIP's heap in use (RAM packet buffers,
                            ARP queue, ...), its timers left out */
    uint64_t frames_in, frames_out, frames_dropped; /* 0 without a stack */
    /* Connections we closed first, still in TIME-WAIT, that a client's
     * new SYN (or its exact reset) ended so that it could connect again
     * on the same port pair (0 without a stack). */
    uint64_t timewait_ended;
};
int miou_tcpip_stats(const miou_tcpip *stack, struct miou_tcpip_stats *stats);

/* ---- TCP ---------------------------------------------------------------- */

typedef struct miou_tcp miou_tcp;
typedef struct miou_tcp_listener miou_tcp_listener;

/* Listen on (port) of every address of the interface, IPv4 and IPv6 (0:
 * a free port, read back with miou_tcp_listener_port()), queueing at
 * most (backlog) connections not yet accepted (more are refused).
 * MIOU_EADDRINUSE. */
int miou_tcp_listen(miou_tcpip *stack, uint16_t port, unsigned backlog,
                    miou_tcp_listener **listener);
uint16_t miou_tcp_listener_port(const miou_tcp_listener *listener);

/* SUSPENDS until a connection arrives; (*conn) is then the caller's. */
int miou_tcp_accept(miou_tcp_listener *listener, uint64_t deadline,
                    miou_tcp **conn);

/* Stop listening; connections waiting to be accepted are reset. Tasks
 * blocked in miou_tcp_accept() on it get MIOU_ECONNABORTED. */
int miou_tcp_listener_close(miou_tcp_listener *listener);

/* SUSPENDS until connected to (addr):(port), IPv4 or IPv6.
 * MIOU_ECONNREFUSED, MIOU_ETIMEDOUT, MIOU_EHOSTUNREACH (no route, or no
 * address of that family to send from), MIOU_EINVAL (no address, port
 * 0), ... */
int miou_tcp_connect(miou_tcpip *stack, const miou_ipaddr *addr, uint16_t port,
                     uint64_t deadline, miou_tcp **conn);

/* SUSPENDS until some bytes arrived: returns how many were copied into
 * (buf) (at most (len)), 0 once the peer has closed its side and every
 * byte was read, or MIOU_ECONNRESET, MIOU_ECONNABORTED, ... Reading opens
 * the receive window: a peer sending to a task that does not read is
 * held back. */
long miou_tcp_read(miou_tcp *conn, void *buf, size_t len, uint64_t deadline);

/* SUSPENDS while the send buffer is full (back-pressure: nothing is
 * queued beyond lwIP's send buffer). Returns (len) once every byte is in
 * the send buffer; on an error or the deadline, the error (bytes queued
 * before it may still go out). MIOU_EPIPE after miou_tcp_shutdown(). */
long miou_tcp_write(miou_tcp *conn, const void *buf, size_t len,
                    uint64_t deadline);

/* Turn Nagle's algorithm off (on = 0: back on) for (conn): a short
 * segment then leaves at once instead of waiting for the previous one's
 * acknowledgement. A request/response protocol wants it off: with it on,
 * a response whose last segment follows unacknowledged ones waits for the
 * client's delayed ACK (40 ms on Linux). */
int miou_tcp_set_nodelay(miou_tcp *conn, int on);

/* Close the sending side (FIN once the send buffer has gone); reading
 * goes on. */
int miou_tcp_shutdown(miou_tcp *conn);

/* Close the connection and free (conn). Data not yet read makes it a
 * reset (as a Linux socket does); tasks blocked on it get
 * MIOU_ECONNABORTED. */
int miou_tcp_close(miou_tcp *conn);

/* Reset the connection (RST) and free (conn). */
int miou_tcp_abort(miou_tcp *conn);

/* The peer's address and port; each of (addr), (port) may be NULL. */
int miou_tcp_peer(const miou_tcp *conn, miou_ipaddr *addr, uint16_t *port);

/* Our address and port on (conn): which family and address it runs on. */
int miou_tcp_local(const miou_tcp *conn, miou_ipaddr *addr, uint16_t *port);

/* ---- Names --------------------------------------------------------------- */

/* What miou_dns_resolve() asks for: A records (IPv4 addresses), AAAA
 * records (IPv6 addresses), or both. */
#define MIOU_DNS_A 1u
#define MIOU_DNS_AAAA 2u

/* SUSPENDS until the addresses of (name) are known, at most (max) of them
 * stored in (addrs): IPv6 ones first when both are asked, each family in
 * the servers' order. Returns how many were stored. (types) is MIOU_DNS_A,
 * MIOU_DNS_AAAA or both; the queries for both go at once. A (name) that
 * is an address ("10.0.0.2", "fd00::2") is that address.
 *
 * The queries go over UDP from a port of their own, drawn at random, with
 * random IDs, to the configured servers in order (the lease's when none
 * is configured), each tried again after 1 s, 2 s, ... until (deadline);
 * an answer counts only from the server asked, with the query's ID and
 * question, and well formed: anything else is dropped. CNAMEs are
 * followed. Answers are kept within their TTL (a day at most): the same
 * question then suspends nothing. Several tasks may resolve at once.
 * Errors: MIOU_ENOTFOUND (the name does not exist, or has no address of
 * the types asked), MIOU_ENOSERVER, MIOU_EDNSFAIL (every server failed
 * or refused), MIOU_ETIMEDOUT, MIOU_ECANCELED, MIOU_EINVAL (not a name:
 * labels of 1 to 63 bytes, 253 in all, one trailing dot allowed; no
 * types; max 0). No answer is taken over TCP: a truncated one gives the
 * addresses it holds. */
int miou_dns_resolve(miou_tcpip *stack, const char *name, unsigned types,
                     miou_ipaddr *addrs, size_t max, uint64_t deadline);

/* Forget every answer kept: the next resolutions ask the servers. */
void miou_dns_flush(miou_tcpip *stack);

/* SUSPENDS until connected to (port) of (name), by RFC 8305's Happy
 * Eyeballs: AAAA and A are asked at once (once one family's answer is in,
 * the other is waited for 50 ms at most), the addresses are tried IPv6
 * first, the families taking turns, a new attempt starting every 250 ms
 * while the ones before have not connected, or at once when one fails;
 * the first to connect wins and the others are aborted. (*conn) is the
 * winner, as miou_tcp_connect() gives it (miou_tcp_peer() says which
 * address). Errors: miou_dns_resolve()'s, then the last attempt's
 * (MIOU_ECONNREFUSED, MIOU_EHOSTUNREACH, ...), MIOU_ETIMEDOUT,
 * MIOU_ECANCELED; nothing is left behind. */
int miou_tcp_connect_name(miou_tcpip *stack, const char *name, uint16_t port,
                          uint64_t deadline, miou_tcp **conn);

/* ---- UDP ---------------------------------------------------------------- */

typedef struct miou_udp miou_udp;

/* Bind to (port) (0: a free one) of every address of the interface, IPv4
 * and IPv6. At most (queue) datagrams wait to be
 * received (0: 64); more are dropped, as a full socket buffer drops them.
 * MIOU_EADDRINUSE. */
int miou_udp_bind(miou_tcpip *stack, uint16_t port, unsigned queue,
                  miou_udp **udp);

/* Send one datagram to (addr):(port), either family, fragmented as
 * needed: at most 65,507 bytes over IPv4, 65,487 over IPv6 (lwIP counts a
 * packet, its IPv6 header included, in 16 bits; a larger datagram that
 * comes in fragments is dropped). Does not suspend. MIOU_EMSGSIZE,
 * MIOU_EHOSTUNREACH, MIOU_ENOMEM, MIOU_EINVAL. */
int miou_udp_send(miou_udp *udp, const miou_ipaddr *addr, uint16_t port,
                  const void *buf, size_t len);

/* SUSPENDS until a datagram arrives: copies at most (len) bytes of it
 * into (buf) (the rest is dropped) and returns its full length; (addr)
 * and (port), when not NULL, receive the sender's. */
long miou_udp_recv(miou_udp *udp, void *buf, size_t len, miou_ipaddr *addr,
                   uint16_t *port, uint64_t deadline);

/* Close and free (udp); tasks blocked on it get MIOU_ECONNABORTED. */
int miou_udp_close(miou_udp *udp);

#ifdef __cplusplus
}
#endif

#endif
