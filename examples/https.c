/*
 * https - examples/http.c behind TLS (miou_tls.h): the same server, the
 * page and the block device "storage", keep-alive, over TLS 1.2 or 1.3,
 * on port 443. This file gives http.c its transport (a TLS session over
 * each accepted connection) and includes it.
 *
 * The certificate chain and its private key come from a second block
 * device, "tls": a disk image holding the PEM text of the chain, then
 * of the key (unencrypted), padded with zero bytes to a whole number of
 * blocks. There is no file system in a unikernel; a disk is how a
 * deployment hands it secrets that are not built into the image:
 *
 *   cat server.pem server.key > tls.img && truncate -s 8K tls.img
 *   ip netns exec ns build/hosted/examples/https --net:service=tap0 \
 *       --block:storage=disk.img --block:tls=tls.img -- 10.0.0.2
 *   ip netns exec ns curl --cacert ca.pem https://10.0.0.2/
 *
 * Sessions resume from tickets (TLS 1.2 and 1.3). A client that fails
 * its handshake (garbage, silence for --idle, a reset) is dropped; the
 * next is served. At the end the server also checks that mbedTLS holds
 * nothing (exit status 1 otherwise).
 */
#include <stdlib.h>

#include <miou.h>
#include <miou_tcpip.h>
#include <miou_tls.h>

#include "lib/console.h"

#define NAME "https"
#define DEFAULT_PORT 443
/* The most the "tls" device may hold. */
#define TLS_DEVICE_MAX (64u * 1024u)

typedef miou_tls transport;

static struct {
    miou_tls_config *config;
    uint64_t failed; /* handshakes that failed */
    int no_tickets;  /* --no-tickets */
} tls;

/* Every client makes a full handshake (the benchmarks' choice). */
#define TRANSPORT_ARGS                                                         \
    {"--no-tickets", "issue no session tickets (they are issued)",             \
     .flag = &tls.no_tickets},

/* Read the "tls" device and make the server's configuration from it. */
static int transport_setup(int *status)
{
    miou_block *dev;
    struct miou_block_info info;
    int rc = miou_block_acquire("tls", &dev, &info);
    if (rc != 0) {
        *status = fail("cannot acquire the block device 'tls'", rc);
        return rc;
    }
    if (info.capacity > TLS_DEVICE_MAX) {
        *status =
            fail("the block device 'tls' is larger than 64 KiB", MIOU_EINVAL);
        return MIOU_EINVAL;
    }
    char *pem = malloc((size_t)info.capacity + 1);
    if (!pem) {
        *status = fail("cannot read the block device 'tls'", MIOU_ENOMEM);
        return MIOU_ENOMEM;
    }
    rc = miou_block_atomic_read(dev, 0, pem, (size_t)info.capacity);
    pem[rc == 0 ? info.capacity : 0] = '\0';
    /* The chain and the key, one text: mbedTLS takes the certificates
     * for the one, the key's block for the other. */
    struct miou_tls_options o = {.role = MIOU_TLS_SERVER,
                                 .cert = pem,
                                 .cert_len = strlen(pem) + 1,
                                 .key = pem,
                                 .key_len = strlen(pem) + 1,
                                 .flags =
                                     tls.no_tickets ? 0 : MIOU_TLS_TICKETS};
    if (rc == 0)
        rc = miou_tls_config_new(&o, &tls.config);
    free(pem);
    if (rc != 0)
        *status = fail("cannot make the TLS configuration from the block "
                       "device 'tls'",
                       rc);
    return rc;
}

static void transport_teardown(void)
{
    miou_tls_config_free(tls.config);
    tls.config = NULL;
}

/* The failed handshakes, and what mbedTLS still holds once the server
 * is done (written into buf): 0 when nothing. */
static int transport_report(char *buf, size_t size)
{
    struct miou_tls_stats st;
    miou_tls_stats(&st);
    snprintf(buf, size,
             "; %llu TLS handshakes, %llu failed; mbedTLS holds %u sessions, "
             "%llu bytes",
             (unsigned long long)st.handshakes, (unsigned long long)tls.failed,
             (unsigned)st.sessions, (unsigned long long)st.heap_bytes);
    return st.sessions != 0 || st.heap_bytes != 0 || st.configs != 0;
}

/* A TLS session over the accepted connection, its handshake done by
 * (deadline); on failure the connection is reset. */
static int transport_open(miou_tcp *tcp, uint64_t deadline, transport **t)
{
    int rc = miou_tls_server(tls.config, tcp, t);
    if (rc == 0 && (rc = miou_tls_handshake(*t, deadline)) != 0) {
        miou_tls_abort(*t);
        tls.failed++;
    }
    return rc;
}

#define transport_read miou_tls_read
#define transport_write miou_tls_write
#define transport_close miou_tls_close
#define transport_abort miou_tls_abort
#define transport_shutdown miou_tls_shutdown

#define HTTP_TRANSPORT_TLS 1
#include "http.c"
