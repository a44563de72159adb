/*
 * x25519.c - the public key of an X25519 key share from HACL*'s
 * Curve25519 (mbedTLS's 3rdparty/everest), instead of mbedTLS's generic
 * Montgomery ladder: 47% of a TLS 1.3 server handshake's CPU under perf,
 * against 10% for the same ladder by HACL* (which mbedTLS already uses,
 * with MBEDTLS_ECDH_VARIANT_EVEREST_ENABLED, for the shared secret).
 * No cryptography here: mbedTLS gives PSA no other way to choose, so the
 * programs that link TLS are linked with
 * --wrap=mbedtls_psa_ecp_export_public_key (mk/mbedtls.mk), and this
 * function sends X25519 keys to HACL* and every other key to mbedTLS.
 * tests/test_tls.c checks that both give the same bytes.
 */
#include <string.h>

#include "psa/crypto.h"

#include "internal.h"

int miou_tls__x25519_generic;

/* HACL*'s, declared here: its header does not build with our warnings. */
void Hacl_Curve25519_crypto_scalarmult(uint8_t *mypublic, uint8_t *secret,
                                       uint8_t *basepoint);

psa_status_t
__real_mbedtls_psa_ecp_export_public_key(const psa_key_attributes_t *attributes,
                                         const uint8_t *key_buffer,
                                         size_t key_buffer_size, uint8_t *data,
                                         size_t data_size, size_t *data_length);
psa_status_t
__wrap_mbedtls_psa_ecp_export_public_key(const psa_key_attributes_t *attributes,
                                         const uint8_t *key_buffer,
                                         size_t key_buffer_size, uint8_t *data,
                                         size_t data_size, size_t *data_length);

psa_status_t
__wrap_mbedtls_psa_ecp_export_public_key(const psa_key_attributes_t *attributes,
                                         const uint8_t *key_buffer,
                                         size_t key_buffer_size, uint8_t *data,
                                         size_t data_size, size_t *data_length)
{
    psa_key_type_t type = psa_get_key_type(attributes);
    if (miou_tls__x25519_generic ||
        PSA_KEY_TYPE_ECC_GET_FAMILY(type) != PSA_ECC_FAMILY_MONTGOMERY ||
        psa_get_key_bits(attributes) != 255 || key_buffer_size != 32)
        return __real_mbedtls_psa_ecp_export_public_key(attributes, key_buffer,
                                                        key_buffer_size, data,
                                                        data_size, data_length);
    if (data_size < 32)
        return PSA_ERROR_BUFFER_TOO_SMALL;
    /* RFC 7748: the u-coordinate 9 is the base point; HACL* clamps the
     * scalar as X25519 wants, on a copy. */
    uint8_t base[32] = {9}, secret[32];
    memcpy(secret, key_buffer, sizeof secret);
    Hacl_Curve25519_crypto_scalarmult(data, secret, base);
    mbedtls_platform_zeroize(secret, sizeof secret);
    *data_length = 32;
    return PSA_SUCCESS;
}

/* For tests/test_tls.c: (n) X25519 keys from PSA, the public key of each
 * computed by HACL* and by mbedTLS; returns how many differ, or -1 when
 * a key could not be made. Call with a configuration alive (PSA is up). */
int miou_tls__x25519_check(unsigned n);
int miou_tls__x25519_check(unsigned n)
{
    int differ = 0;
    for (unsigned i = 0; i < n; i++) {
        psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
        psa_set_key_type(&a,
                         PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY));
        psa_set_key_bits(&a, 255);
        psa_set_key_usage_flags(&a, PSA_KEY_USAGE_DERIVE);
        psa_set_key_algorithm(&a, PSA_ALG_ECDH);
        mbedtls_svc_key_id_t key;
        uint8_t hacl[32], generic[32];
        size_t l1 = 0, l2 = 0;
        if (psa_generate_key(&a, &key) != PSA_SUCCESS)
            return -1;
        miou_tls__x25519_generic = 0;
        psa_status_t s1 = psa_export_public_key(key, hacl, sizeof hacl, &l1);
        miou_tls__x25519_generic = 1;
        psa_status_t s2 =
            psa_export_public_key(key, generic, sizeof generic, &l2);
        miou_tls__x25519_generic = 0;
        psa_destroy_key(key);
        if (s1 != PSA_SUCCESS || s2 != PSA_SUCCESS || l1 != 32 || l2 != 32 ||
            memcmp(hacl, generic, 32) != 0)
            differ++;
    }
    return differ;
}
