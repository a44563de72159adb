/*
 * seeds.c - writes the seed inputs of fuzz_netstack.c into a folder: one
 * valid frame of each kind the responder and the parsers know, each after
 * its control byte (fuzz_netstack.h). Built from examples/lib/netstack.c
 * itself, so that the seeds follow the code.
 *
 *   seeds DIR
 */
#include <stdio.h>
#include <string.h>

#include "../../examples/lib/netstack.h"
#include "fuzz_netstack.h"

#define FIX_BOTH (FUZZ_FIX_IP | FUZZ_FIX_ICMP)
#define HALF (48 << FUZZ_SIZE_SHIFT) /* the second out: half the reply */

static const char *dir;
static int failures;

/* Write (control) then (n) bytes of (frame) to DIR/(name). */
static void seed(const char *name, uint8_t control, const void *frame, size_t n)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (f == NULL || fputc(control, f) == EOF || fwrite(frame, 1, n, f) != n ||
        fclose(f) != 0) {
        perror(path);
        failures++;
    }
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* The echo request of (data_len) bytes from the peer to us. */
static size_t echo_request(uint8_t *out, size_t size, size_t data_len)
{
    static uint8_t data[1024];
    struct echo e;
    size_t i;

    for (i = 0; i < data_len && i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 1);
    memset(&e, 0, sizeof e);
    e.src = FUZZ_PEER_IP;
    e.dst = FUZZ_IP;
    e.id = 0x1234;
    e.seq = 7;
    e.data = data;
    e.data_len = data_len;
    return echo_request_build(out, size, fuzz_peer_mac, fuzz_mac, &e);
}

int main(int argc, char **argv)
{
    uint8_t f[2048], g[2048];
    struct responder peer;
    size_t n, m;

    if (argc != 2) {
        fprintf(stderr, "usage: seeds DIR\n");
        return 2;
    }
    dir = argv[1];
    responder_init(&peer, fuzz_peer_mac, FUZZ_PEER_IP);

    /* ARP: a broadcast request for us, the same sent to our MAC, and the
     * peer's reply to our request. */
    n = arp_request_build(f, sizeof f, fuzz_peer_mac, FUZZ_PEER_IP, FUZZ_IP);
    seed("arp-request", HALF, f, n);
    memcpy(f, fuzz_mac, ETH_ALEN);
    seed("arp-request-unicast", HALF, f, ARP_FRAME_LEN);
    n = arp_request_build(g, sizeof g, fuzz_mac, FUZZ_IP, FUZZ_PEER_IP);
    m = answer_frame(&peer, g, n, f, sizeof f);
    seed("arp-reply", 0, f, m);

    /* Echo requests: with 56 bytes of data, with none, with 1000. */
    n = echo_request(f, sizeof f, 56);
    seed("echo-request", FIX_BOTH | HALF, f, n);
    echo_request(f, sizeof f, 0); /* unpadded: without its padding */
    seed("echo-request-empty", FIX_BOTH | HALF, f, ECHO_FRAME_LEN(0));
    n = echo_request(f, sizeof f, 1000);
    seed("echo-request-1000", FIX_BOTH | HALF, f, n);

    /* With four bytes of IP options (NOPs). */
    echo_request(f, sizeof f, 10);
    n = ECHO_FRAME_LEN(10);
    memmove(f + ETH_HLEN + IPV4_HLEN + 4, f + ETH_HLEN + IPV4_HLEN,
            n - ETH_HLEN - IPV4_HLEN);
    memset(f + ETH_HLEN + IPV4_HLEN, 1, 4);
    f[ETH_HLEN] = 0x46;
    put16(f + ETH_HLEN + 2, IPV4_HLEN + 4 + ICMP_HLEN + 10);
    seed("echo-request-options", FIX_BOTH | HALF, f, n + 4);

    /* A fragment, and UDP. */
    n = echo_request(f, sizeof f, 56);
    put16(f + ETH_HLEN + 6, 0x2000);
    seed("echo-request-fragment", FIX_BOTH | HALF, f, n);
    n = echo_request(f, sizeof f, 56);
    f[ETH_HLEN + 9] = 17;
    seed("udp", FIX_BOTH | HALF, f, n);

    /* The peer's echo reply to our request. */
    {
        struct echo e;
        memset(&e, 0, sizeof e);
        e.src = FUZZ_IP;
        e.dst = FUZZ_PEER_IP;
        e.id = 9;
        e.seq = 1;
        e.data = (const uint8_t *)"ping";
        e.data_len = 4;
        n = echo_request_build(g, sizeof g, fuzz_mac, fuzz_peer_mac, &e);
        m = answer_frame(&peer, g, n, f, sizeof f);
        seed("echo-reply", FIX_BOTH, f, m);
    }

    /* Addresses, for ipv4_parse. */
    seed("ipv4-text", 0, "10.0.0.2", 8);
    seed("ipv4-text-longest", 0, "255.255.255.255", 15);

    if (peer.arp != 1 || peer.echo != 1) {
        fprintf(stderr, "seeds: the peer did not answer\n");
        failures++;
    }
    return failures ? 1 : 0;
}
