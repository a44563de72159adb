/*
 * miou_tls.h - TLS 1.2 and 1.3 for unikernels: mbedTLS (3.6, Debian's
 * source package) over the TCP connections of miou_tcpip.h, with calls
 * that suspend only the calling task (library libmiou-tls.a, a layer
 * above miou_tcpip.h; a program that does not include this header links
 * none of it).
 *
 * mbedTLS moves its bytes through two callbacks over the miou_tcp
 * connection; a task that must wait (for input, or for room in the
 * connection's send buffer) waits on the connection, outside mbedTLS,
 * with the deadline of its call: a TLS read or write is a suspension
 * point like a TCP one, with the same deadline, cancellation and
 * back-pressure rules. One task may read a session while another writes
 * it (full duplex, as over TCP); two readers, or two writers, take
 * turns.
 *
 * Conventions, as in miou.h: 0 or a count on success, a negative MIOU_E*
 * code on failure (miou_strerror() describes it). Calls marked SUSPENDS
 * take a (deadline), an absolute time of the monotonic clock in ns
 * (MIOU_TCPIP_FOREVER: none), return MIOU_ETIMEDOUT when it passes and
 * MIOU_ECANCELED when the calling task is cancelled. A session whose
 * handshake, write or shutdown failed in any way (a deadline and a
 * cancellation included: part of a record may have gone) can only be
 * closed; a read that timed out or was cancelled before a whole record
 * came leaves the session usable. Everything a session holds (mbedTLS's
 * contexts, its buffers) is freed by miou_tls_close() or
 * miou_tls_abort(), whatever state it is in.
 *
 * Randomness: keys, nonces and tickets come from a CTR_DRBG (mbedTLS's)
 * seeded from miou_random() (the platform's source, health-checked)
 * mixed with timing jitter; miou_tls_config_new() refuses with
 * MIOU_ENOENTROPY when the platform has no usable source, rather than
 * run with predictable keys. Under the sim platform every byte comes
 * from the seed: a run replays, TLS included.
 *
 * Time: certificate validity is checked against miou_clock_wall(). A
 * unikernel whose wall clock is behind (a VM that booted without one)
 * sees a valid certificate refused with MIOU_ENOTYETVALID (and one whose
 * clock is ahead, MIOU_EEXPIRED); a configuration with
 * MIOU_TLS_NO_TIME_CHECK skips both checks explicitly, and nothing else.
 *
 * One mbedTLS runs in a process, in the thread of miou_run(); its objects
 * belong to that run's tasks, as lwIP's do.
 */
#ifndef MIOU_TLS_H_INCLUDED
#define MIOU_TLS_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include <miou.h>
#include <miou_tcpip.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Configuration -------------------------------------------------- */

/* Protocol versions, as on the wire. */
#define MIOU_TLS_1_2 0x0303u
#define MIOU_TLS_1_3 0x0304u

enum miou_tls_role { MIOU_TLS_SERVER = 0, MIOU_TLS_CLIENT = 1 };

/* Flags of miou_tls_options.flags. */
enum {
    /* Client: do not verify the server's certificate at all (its chain
     * nor its name). Off by default: a client verifies, and refuses a
     * server it cannot verify. For tests against self-made servers. */
    MIOU_TLS_NO_VERIFY = 1 << 0,
    /* Skip the validity dates of certificates (see "Time" above). */
    MIOU_TLS_NO_TIME_CHECK = 1 << 1,
    /* Server: issue session tickets (TLS 1.2 and 1.3), so that clients
     * resume without a full handshake. Client: keep the ticket a server
     * sends (miou_tls_session_get() hands it out). */
    MIOU_TLS_TICKETS = 1 << 2,
};

/* What a configuration holds. Every buffer is copied (parsed) by
 * miou_tls_config_new(): none needs to outlive the call. PEM buffers may
 * or may not end with a NUL byte (their length counts what is there);
 * DER is recognised by its first byte. */
struct miou_tls_options {
    enum miou_tls_role role;
    /* Our certificate chain (ours first, then the intermediates) and its
     * private key (PKCS#8 or the algorithm's own format, not encrypted):
     * a server needs them, a client only for client authentication,
     * which this layer does not ask for. PEM (several certificates one
     * after the other) or DER (one certificate). */
    const void *cert;
    size_t cert_len;
    const void *key;
    size_t key_len;
    /* Trusted certificate authorities (PEM, several, or one DER): a
     * client verifies the server's chain up to one of them. */
    const void *ca;
    size_t ca_len;
    /* Versions allowed: 0 for each means 1.2 to 1.3. */
    unsigned min_version, max_version;
    /* ALPN protocols, by preference, the list ending with NULL ("h2",
     * "http/1.1"); NULL: no ALPN. Not copied: must outlive the
     * configuration. */
    const char *const *alpn;
    /* MIOU_TLS_* flags. */
    unsigned flags;
};

typedef struct miou_tls_config miou_tls_config;

/* Parse the options into a configuration: MIOU_EINVAL (a NULL argument,
 * a server without certificate or key, a client without CA unless
 * MIOU_TLS_NO_VERIFY, versions outside 1.2-1.3 or min above max),
 * MIOU_EBADCERT (a certificate or key that does not parse, or a key that
 * does not match the certificate), MIOU_ENOENTROPY (no usable source of
 * random bytes: see above), MIOU_ENOMEM. Does not suspend. */
int miou_tls_config_new(const struct miou_tls_options *options,
                        miou_tls_config **config);

/* Release the configuration. Sessions made from it keep it alive until
 * they are closed: it is freed with the last of them. */
void miou_tls_config_free(miou_tls_config *config);

/* ---- Sessions ------------------------------------------------------- */

typedef struct miou_tls miou_tls;

/* A server session over (conn), or a client session (to the server
 * named (hostname): the name its certificate must carry, sent as SNI; an
 * address such as "10.0.0.2" is matched against the certificate's IP
 * addresses; NULL only with MIOU_TLS_NO_VERIFY). The session owns (conn)
 * from then on, whatever happens: miou_tls_close() and miou_tls_abort()
 * close it. Nothing is sent yet. MIOU_EINVAL (the configuration's role
 * is the other one), MIOU_ENOMEM (conn is then closed). */
int miou_tls_server(miou_tls_config *config, miou_tcp *conn,
                    miou_tls **session);
int miou_tls_client(miou_tls_config *config, miou_tcp *conn,
                    const char *hostname, miou_tls **session);

/* SUSPENDS until the handshake is done (the first read or write does it
 * too). Errors: MIOU_EUNTRUSTED, MIOU_EEXPIRED, MIOU_ENOTYETVALID,
 * MIOU_EHOSTNAME, MIOU_EPEERCERT (the client refused the server's
 * certificate, for that reason); MIOU_EHANDSHAKE (no version, suite or
 * group in common); MIOU_EALERT (the peer refused us); MIOU_EPROTO (the
 * peer is not speaking TLS, or broke it); MIOU_ECONNRESET (the
 * connection closed or reset mid-handshake); MIOU_ETIMEDOUT;
 * MIOU_ECANCELED; MIOU_ETLS. */
int miou_tls_handshake(miou_tls *session, uint64_t deadline);

/* SUSPENDS until some application data came: copies at most (len) bytes
 * into (buf) and returns how many; 0 once the peer has closed the
 * session (close_notify) and every byte was read. A connection that ends
 * without close_notify, which may be a truncation, is MIOU_ECONNRESET.
 * TLS 1.3 tickets and other handshake messages are dealt with inside. */
long miou_tls_read(miou_tls *session, void *buf, size_t len, uint64_t deadline);

/* SUSPENDS while the connection's send buffer is full (back-pressure).
 * Returns (len) once every byte is encrypted and in the connection's
 * send buffer; on an error, the error (the session can then only be
 * closed). MIOU_EPIPE after miou_tls_shutdown(). */
long miou_tls_write(miou_tls *session, const void *buf, size_t len,
                    uint64_t deadline);

/* SUSPENDS. Send close_notify, then close the connection's sending side
 * (FIN); reading goes on until the peer's close_notify (0). */
int miou_tls_shutdown(miou_tls *session, uint64_t deadline);

/* Close the connection (as miou_tcp_close(): unread data makes it a
 * reset; call miou_tls_shutdown() first for an orderly end) and free the
 * session and everything it holds. Does not suspend. */
int miou_tls_close(miou_tls *session);

/* Reset the connection and free the session. */
int miou_tls_abort(miou_tls *session);

/* The connection under the session (its peer's address, ...). */
miou_tcp *miou_tls_tcp(const miou_tls *session);

/* After the handshake: the version ("TLSv1.3"), the cipher suite (as
 * mbedTLS names it, "TLS1-3-AES-128-GCM-SHA256"), the ALPN protocol
 * agreed (NULL when none). NULL before the handshake. */
const char *miou_tls_version(const miou_tls *session);
const char *miou_tls_cipher(const miou_tls *session);
const char *miou_tls_alpn(const miou_tls *session);

/* ---- Resumption (client) ------------------------------------------- */

/* A client keeps a ticket (MIOU_TLS_TICKETS) and offers it on its next
 * connection to the same server. miou_tls_session_get() copies what the
 * session holds (after the handshake; with TLS 1.3 the ticket comes
 * after it, with the first data read) into (*saved), to give to
 * miou_tls_session_set() on a new client session before its handshake.
 * MIOU_EINVAL when there is no ticket to save. */
typedef struct miou_tls_saved miou_tls_saved;
int miou_tls_session_get(miou_tls *session, miou_tls_saved **saved);
int miou_tls_session_set(miou_tls *session, const miou_tls_saved *saved);
void miou_tls_saved_free(miou_tls_saved *saved);

/* ---- Introspection -------------------------------------------------- */

/* What the TLS layer holds, for tests and leak hunts: every one of them
 * is 0 once every configuration and session is freed. */
struct miou_tls_stats {
    uint32_t configs;    /* configurations alive */
    uint32_t sessions;   /* sessions alive */
    uint64_t heap_bytes; /* bytes mbedTLS has allocated and not freed */
    uint64_t heap_peak;  /* the most it ever held at once */
    uint64_t handshakes; /* completed, since the process started */
};
void miou_tls_stats(struct miou_tls_stats *stats);

#ifdef __cplusplus
}
#endif

#endif
