/*
 * random.c - the random bytes of TLS: mbedTLS's CTR_DRBG (AES-256), one
 * for the process, seeded from miou_random() (the platform's source,
 * health-checked by the core) and, as its personalisation string, timing
 * jitter: the low bits of the time taken by rounds of work between clock
 * reads. The DRBG reseeds itself from miou_random() every 10,000
 * requests. PSA crypto (which TLS 1.3 uses) draws from it too
 * (MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG). Under sim, the source is the seed
 * and the clock virtual: every byte replays.
 *
 * Why here and not in the core: the core gives the platform's source
 * (miou_random(), a few dozen lines, no cryptography); a DRBG is
 * cryptography, which we take from mbedTLS, so it lives with mbedTLS,
 * and a program without TLS carries neither.
 */
#include <string.h>

#include "mbedtls/ctr_drbg.h"
#include "psa/crypto.h"

#include "internal.h"

static mbedtls_ctr_drbg_context drbg;
static unsigned users;

static int entropy(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    return miou_random(out, len) == 0
               ? 0
               : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

/* (n) bytes of timing jitter: each the low byte of the nanoseconds a
 * round of arithmetic took, which varies with caches, interrupts and the
 * host's scheduling. Not counted as entropy: it only mixes in. */
static void jitter(unsigned char *out, size_t n)
{
    volatile uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n; i++) {
        uint64_t t0 = miou_clock_monotonic();
        for (unsigned k = 0; k < 64 + (x & 63); k++)
            x = x * 6364136223846793005ull + t0;
        uint64_t t1 = miou_clock_monotonic();
        out[i] = (unsigned char)((t1 - t0) ^ (t1 >> 8) ^ x);
    }
}

int miou_tls__random_acquire(void)
{
    miou_tls__platform_init(); /* PSA allocates */
    if (users > 0) {
        users++;
        return 0;
    }
    unsigned char pers[48];
    uint64_t wall = miou_clock_wall();
    memcpy(pers, &wall, sizeof wall);
    jitter(pers + sizeof wall, sizeof pers - sizeof wall);
    mbedtls_ctr_drbg_init(&drbg);
    if (mbedtls_ctr_drbg_seed(&drbg, entropy, NULL, pers, sizeof pers) != 0) {
        mbedtls_ctr_drbg_free(&drbg);
        return MIOU_ENOENTROPY;
    }
    if (psa_crypto_init() != PSA_SUCCESS) {
        mbedtls_ctr_drbg_free(&drbg);
        return MIOU_ENOENTROPY;
    }
    users = 1;
    return 0;
}

void miou_tls__random_release(void)
{
    if (users == 0 || --users > 0)
        return;
    mbedtls_psa_crypto_free();
    mbedtls_ctr_drbg_free(&drbg);
}

int miou_tls__random(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    /* The DRBG gives at most MBEDTLS_CTR_DRBG_MAX_REQUEST bytes a call. */
    while (len > 0) {
        size_t n = len < MBEDTLS_CTR_DRBG_MAX_REQUEST
                       ? len
                       : MBEDTLS_CTR_DRBG_MAX_REQUEST;
        int rc = mbedtls_ctr_drbg_random(&drbg, out, n);
        if (rc != 0)
            return rc;
        out += n;
        len -= n;
    }
    return 0;
}

/* PSA's source of random bytes (MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG). */
psa_status_t
mbedtls_psa_external_get_random(mbedtls_psa_external_random_context_t *ctx,
                                uint8_t *out, size_t size, size_t *len)
{
    (void)ctx;
    if (users == 0 || miou_tls__random(NULL, out, size) != 0) {
        *len = 0;
        return PSA_ERROR_INSUFFICIENT_ENTROPY;
    }
    *len = size;
    return PSA_SUCCESS;
}
