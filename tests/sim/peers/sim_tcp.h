/*
 * sim_tcp.h - a small TCP client for the peers of the sim platform
 * (include/miou_sim.h): a host with one IPv4 or IPv6 address at the far
 * end of a link, opening TCP connections to the unikernel and moving bytes over
 * them reliably, through whatever loss, duplication and reordering the
 * link's faults make.
 *
 * It is a test instrument, not a second stack: it implements what a
 * client needs to talk to a correct server and to notice a wrong one —
 * the three-way handshake (SYN retried after a reset, for a server not
 * yet listening), cumulative acknowledgement, a fixed receive window with
 * out-of-order segments kept and put back in order, retransmission on
 * timeout (go-back-N) and on three duplicate ACKs, the peer's window
 * respected and probed when closed, and both FINs. No congestion control,
 * no options but MSS, no urgent data: the link is simulated, and what is
 * under test is the other end. Every checksum is verified; a segment that
 * fails one counts as an error of the unikernel's, since the sim links
 * never corrupt a frame.
 *
 * Everything runs inside the peer's receive() and wakeup() (the only
 * places a peer may act): the host owns the link's wakeup, and the
 * application reacts through the callbacks of struct simtcp_ops.
 * Built for the sim platform only.
 */
#ifndef EXAMPLES_SIM_TCP_H
#define EXAMPLES_SIM_TCP_H

#include <stddef.h>
#include <stdint.h>

#include <miou_sim.h>

#include "../../../examples/lib/netstack.h"

struct simtcp_host;
struct simtcp;

/* What the application hears of a connection (c). Each may be NULL. */
struct simtcp_ops {
    /* The handshake completed: simtcp_write() may be called. */
    void (*connected)(void *app, struct simtcp *c);
    /* (len) more bytes of the stream, in order, each byte exactly once. */
    void (*received)(void *app, struct simtcp *c, const uint8_t *data,
                     size_t len);
    /* Bytes were acknowledged: the send queue has room again. */
    void (*sent)(void *app, struct simtcp *c);
    /* The unikernel closed its direction (its FIN came, in order). */
    void (*eof)(void *app, struct simtcp *c);
    /* The conversation ended well (simtcp_finished() is now 1). */
    void (*finished)(void *app, struct simtcp *c);
};

/* What a connection went through, for a verdict and a summary. */
struct simtcp_counts {
    uint64_t segments_out, segments_in;
    uint64_t retransmits;  /* segments sent again (timeouts, fast) */
    uint64_t timeouts;     /* retransmission timer expiries */
    uint64_t out_of_order; /* data segments ahead of the next byte */
    uint64_t duplicates;   /* data segments already received */
    uint64_t refused;      /* connection attempts answered by RST */
    uint64_t finished_ns;  /* virtual time it finished (0: it did not) */
    uint64_t connected_ns; /* how long its handshake took (from the SYN) */
};

/* A host (ip, mac) on (link), talking to the unikernel at (target) (its
 * MAC is the link's). It answers ARP and ping for (ip). NULL when out of
 * memory. */
struct simtcp_host *simtcp_host_open(struct miou_sim_link *link,
                                     const uint8_t mac[ETH_ALEN], uint32_t ip,
                                     uint32_t target,
                                     const struct simtcp_ops *ops, void *app);

/* Free the host and its connections. */
void simtcp_host_close(struct simtcp_host *h);

/* For the peer's receive() and wakeup(). */
void simtcp_host_receive(struct simtcp_host *h, const uint8_t *frame,
                         size_t len);
void simtcp_host_wakeup(struct simtcp_host *h);

/* Make the host misbehave (on: 1) as some stacks do, sending past the
 * unikernel's window: it counts the window from the latest acknowledged
 * byte rather than from the ACK that announced it, so that after an
 * ACK that carries no newer window it sends beyond the announced right
 * edge. A correct unikernel trims or drops what lies beyond, and loses
 * nothing. */
void simtcp_host_overrun(struct simtcp_host *h, int on);

/* Talk IPv6 instead (before the first connection): the host is (ip) and
 * the unikernel (target), 16 bytes each; it answers neighbour
 * solicitations for (ip), and no longer ARP or ping. */
void simtcp_host_ipv6(struct simtcp_host *h, const uint8_t ip[16],
                      const uint8_t target[16]);

/* Frames the host could not make sense of (bad checksums, bad lengths,
 * fragments, segments for no connection of ours): a correct unikernel
 * sends none over a sim link. */
uint64_t simtcp_host_errors(const struct simtcp_host *h);

/* Start a connection to (port) of the unikernel, with (cookie) for the
 * application; NULL when out of memory. Refused attempts are retried
 * every 50 ms for 10 s (the server may not listen yet). */
struct simtcp *simtcp_connect(struct simtcp_host *h, uint16_t port,
                              void *cookie);

/* simtcp_connect() from local port (local_port) every time (0: a new
 * port per attempt), as a client bound to a port does: a connection after
 * another on the same port pair meets the unikernel's TIME-WAIT. */
struct simtcp *simtcp_connect_from(struct simtcp_host *h, uint16_t local_port,
                                   uint16_t port, void *cookie);

void *simtcp_cookie(const struct simtcp *c);

/* Queue (len) bytes to send: 0, or -1 when out of memory or after
 * simtcp_shutdown(). The queue keeps bytes until they are acknowledged;
 * the application bounds it with simtcp_queued(). */
int simtcp_write(struct simtcp *c, const void *data, size_t len);
size_t simtcp_queued(const struct simtcp *c);

/* Send a FIN once the queue is sent. */
void simtcp_shutdown(struct simtcp *c);

/* Whether the conversation ended well: connected, every byte queued and
 * our FIN acknowledged, and the unikernel's FIN received. */
int simtcp_finished(const struct simtcp *c);

/* Why (c) stopped, when it did not finish: NULL while it runs or after it
 * finished, else a phrase ("reset by the unikernel", "no answer after 20
 * retransmissions", ...). */
const char *simtcp_failure(const struct simtcp *c);

const struct simtcp_counts *simtcp_counts(const struct simtcp *c);

#endif
