/*
 * error.c - mbedTLS's errors as the library's codes (miou.h's list),
 * each of which has its sentence (miou_strerror()).
 */
#include "mbedtls/error.h"
#include "mbedtls/pk.h"
#include "mbedtls/x509.h"

#include "internal.h"

/* Why the client refused the server's certificate: the first reason of
 * the verification's flags, untrusted first (a chain of an unknown CA
 * says nothing reliable about the rest). */
static int verify_error(const mbedtls_ssl_context *ssl)
{
    uint32_t flags = ssl ? mbedtls_ssl_get_verify_result(ssl) : 0;
    if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
        return MIOU_EUNTRUSTED;
    if (flags & MBEDTLS_X509_BADCERT_EXPIRED)
        return MIOU_EEXPIRED;
    if (flags & MBEDTLS_X509_BADCERT_FUTURE)
        return MIOU_ENOTYETVALID;
    if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)
        return MIOU_EHOSTNAME;
    return MIOU_EPEERCERT;
}

int miou_tls__error(int ret, const mbedtls_ssl_context *ssl)
{
    if (ret >= 0)
        return ret;
    /* A high-level code may carry a low-level one added to it. */
    int high = -(-ret & 0xff80), low = -(-ret & 0x007f);
    switch (high ? high : low) {
    case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
        return verify_error(ssl);
    case MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE:
    case MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION:
    case MBEDTLS_ERR_SSL_BAD_CONFIG:
        return MIOU_EHANDSHAKE;
    case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
        return MIOU_EALERT;
    case MBEDTLS_ERR_SSL_INVALID_RECORD:
    case MBEDTLS_ERR_SSL_INVALID_MAC:
    case MBEDTLS_ERR_SSL_DECODE_ERROR:
    case MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE:
    case MBEDTLS_ERR_SSL_UNEXPECTED_RECORD:
    case MBEDTLS_ERR_SSL_ILLEGAL_PARAMETER:
    case MBEDTLS_ERR_SSL_UNSUPPORTED_EXTENSION:
    case MBEDTLS_ERR_SSL_NON_FATAL:
    case MBEDTLS_ERR_SSL_BAD_CERTIFICATE:
        return MIOU_EPROTO;
    case MBEDTLS_ERR_SSL_CONN_EOF:
        return MIOU_ECONNRESET;
    case MBEDTLS_ERR_SSL_ALLOC_FAILED:
    case MBEDTLS_ERR_PK_ALLOC_FAILED:
    case MBEDTLS_ERR_X509_ALLOC_FAILED:
    case MBEDTLS_ERR_MPI_ALLOC_FAILED:
        return MIOU_ENOMEM;
    case MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED:
        return MIOU_ENOENTROPY;
    default:
        return MIOU_ETLS;
    }
}
