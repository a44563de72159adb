/*
 * mbedtls_config.h - our configuration of mbedTLS 3.6 (Debian's source
 * package, fetched by scripts/fetch_mbedtls.sh), for every platform:
 * hosted, sim and the Solo5 target with the freestanding C library.
 *
 * A unikernel has no file system, no sockets, no threads and no OS
 * source of randomness; so mbedTLS is built without them:
 *   - no MBEDTLS_FS_IO, MBEDTLS_NET_C, MBEDTLS_TIMING_C, threading, PSA
 *     storage: certificates and keys come from memory, bytes move
 *     through our callbacks over miou_tcp (src/tls/session.c);
 *   - randomness: PSA's is external (MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG),
 *     our CTR_DRBG seeded from miou_random() and timing jitter
 *     (src/tls/random.c); no entropy module, no platform entropy;
 *   - time: from the library's wall clock (MBEDTLS_PLATFORM_TIME_ALT,
 *     _MS_TIME_ALT, _GMTIME_R_ALT in src/tls/platform.c), for
 *     certificate validity and ticket lifetimes;
 *   - memory: calloc and free through src/tls/platform.c, which counts
 *     what is in use (miou_tls_stats()).
 * TLS 1.2 and 1.3, ECDHE with ECDSA or RSA certificates, AES-GCM and
 * ChaCha20-Poly1305, session tickets, SNI and ALPN.
 */
#ifndef MIOU_MBEDTLS_CONFIG_H
#define MIOU_MBEDTLS_CONFIG_H

/* ---- System support */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_TIME_ALT
#define MBEDTLS_PLATFORM_MS_TIME_ALT
#define MBEDTLS_PLATFORM_GMTIME_R_ALT
/* No C library function is taken by default (Solo5's has no time()):
 * the ones mbedTLS needs are named here. */
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_PLATFORM_STD_MEM_HDR <stdlib.h>
#define MBEDTLS_PLATFORM_SNPRINTF_MACRO snprintf
#define MBEDTLS_PLATFORM_VSNPRINTF_MACRO vsnprintf
/* ...which not every mbedTLS file that calls them declares: an implicit
 * declaration of a variadic function is undefined behaviour. */
#include <stdio.h>
/* time_t and struct tm come from <time.h>: glibc's on hosted, our
 * port's (src/tls/port/solo5/time.h) on Solo5. */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG
#define MBEDTLS_DEPRECATED_REMOVED

/* A Solo5 unikernel links no libgcc: no 128-bit division helper. */
#if defined(MIOU_PLATFORM_SOLO5)
#define MBEDTLS_NO_UDBL_DIVISION
#endif

/* ---- Crypto: what TLS 1.2 and 1.3 need for today's suites */
#define MBEDTLS_AES_C
#define MBEDTLS_AESNI_C
#define MBEDTLS_AESCE_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_CTR_DRBG_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA1_C /* certificates signed with SHA-1 are refused, but parsed */
#define MBEDTLS_SHA224_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_HKDF_C
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDSA_DETERMINISTIC
#define MBEDTLS_HMAC_DRBG_C
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_SECP521R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECDH_VARIANT_EVEREST_ENABLED
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_OID_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_PK_WRITE_C
#define MBEDTLS_PK_PARSE_EC_EXTENDED
#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_USE_PSA_CRYPTO
/* Every session holds PSA keys (two per direction of its records, more
 * during its handshake): a store that grows, not 32 fixed slots. */
#define MBEDTLS_PSA_KEY_STORE_DYNAMIC
#define MBEDTLS_ERROR_C

/* ---- X.509 */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT

/* ---- TLS */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_ENCRYPT_THEN_MAC
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_ALPN
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_TICKET_C
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE

/* Records: a peer may send 16 KiB ones, so the input buffer takes them;
 * ours are at most 4 KiB, which saves 12 KiB per connection (an idle
 * one holds both buffers) at a cost of 22 bytes of record overhead per
 * 4 KiB sent. */
#define MBEDTLS_SSL_IN_CONTENT_LEN 16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096
#define MBEDTLS_SSL_TLS1_3_DEFAULT_NEW_SESSION_TICKETS 1

#endif
