/*
 * test_certs.h - TEST ONLY certificates and private keys, made by
 * scripts/make_test_certs_h.sh with openssl (scripts/lib/tls_certs.sh).
 * They protect nothing: never use them outside the tests.
 */
#ifndef MIOU_TEST_CERTS_H
#define MIOU_TEST_CERTS_H

static const char test_ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBbDCCARKgAwIBAgICEAAwCgYIKoZIzj0EAwIwHTEbMBkGA1UEAwwSbWlvdS1z\n"
    "b2xvNSB0ZXN0IENBMB4XDTI1MDEwMTAwMDAwMFoXDTM2MDEwMTAwMDAwMFowHTEb\n"
    "MBkGA1UEAwwSbWlvdS1zb2xvNSB0ZXN0IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0D\n"
    "AQcDQgAEghj8ut6gFe2iL3SFawO3EBHTW1hevjwhe5m6iRTe/37dQTOuhHcyhH6V\n"
    "TPLdonzznMTSXU1gWMGKuzpANXJWl6NCMEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNV\n"
    "HQ8BAf8EBAMCAQYwHQYDVR0OBBYEFN2CxUSurxAm3WobNb4+nZxU5uryMAoGCCqG\n"
    "SM49BAMCA0gAMEUCIAzFRwH9owY8R8p4fNEdPN/fTq5G6T/N5j5kS4RJL/xCAiEA\n"
    "v5FOCs8d7ybtoW4ZLAD8G3ELFbFvc90BJ802yep/M0g=\n"
    "-----END CERTIFICATE-----\n"
    ;

static const char test_ca_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgUzRGMe86lUxxd+ng\n"
    "IVuX3lgan4M8X4PLS2l6LlArTS6hRANCAASCGPy63qAV7aIvdIVrA7cQEdNbWF6+\n"
    "PCF7mbqJFN7/ft1BM66EdzKEfpVM8t2ifPOcxNJdTWBYwYq7OkA1claX\n"
    "-----END PRIVATE KEY-----\n"
    ;

static const char test_server_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBzDCCAXGgAwIBAgICEAIwCgYIKoZIzj0EAwIwHTEbMBkGA1UEAwwSbWlvdS1z\n"
    "b2xvNSB0ZXN0IENBMB4XDTI1MDEwMTAwMDAwMFoXDTM2MDEwMTAwMDAwMFowFDES\n"
    "MBAGA1UEAwwJbWlvdS50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE5fPg\n"
    "ZsLaCmbz6q25cU6O1Vj9oVBbkekZvOiidVbO7T27aLqGgiNYvS0uhxH4G7UdENKE\n"
    "rvMnsYsvXGISPkGzGaOBqTCBpjAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIH\n"
    "gDATBgNVHSUEDDAKBggrBgEFBQcDATAxBgNVHREEKjAohwQKAAAChwQKAAABhwR/\n"
    "AAABgglsb2NhbGhvc3SCCW1pb3UudGVzdDAdBgNVHQ4EFgQULqjl2RLZPtGQo6sE\n"
    "EJ+13UZ7sNowHwYDVR0jBBgwFoAU3YLFRK6vECbdahs1vj6dnFTm6vIwCgYIKoZI\n"
    "zj0EAwIDSQAwRgIhAKGofpKq/td5FBWd1IXGjEqZysDMtuUUhfjFiADhVgumAiEA\n"
    "69yHgPqGDxLlIi1ka54siGLk4SK/PYUiU7BLEZL5DHg=\n"
    "-----END CERTIFICATE-----\n"
    ;

static const char test_server_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQglOMVT+Bv/xfWZ7Zt\n"
    "RYj/csE86VteysC5W6ctihyfouehRANCAATl8+BmwtoKZvPqrblxTo7VWP2hUFuR\n"
    "6Rm86KJ1Vs7tPbtouoaCI1i9LS6HEfgbtR0Q0oSu8yexiy9cYhI+QbMZ\n"
    "-----END PRIVATE KEY-----\n"
    ;

static const char test_expired_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIByjCCAXGgAwIBAgICEAMwCgYIKoZIzj0EAwIwHTEbMBkGA1UEAwwSbWlvdS1z\n"
    "b2xvNSB0ZXN0IENBMB4XDTIwMDEwMTAwMDAwMFoXDTIxMDEwMTAwMDAwMFowFDES\n"
    "MBAGA1UEAwwJbWlvdS50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8Wq2\n"
    "cXZW/9dAe1JgshJHaNAE/UnQ9bTLUyTQcuuPY4qxLPa8kN+gQMQu57UgseEVLXgl\n"
    "aRY4RnX55tWPO2EfUaOBqTCBpjAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIH\n"
    "gDATBgNVHSUEDDAKBggrBgEFBQcDATAxBgNVHREEKjAohwQKAAAChwQKAAABhwR/\n"
    "AAABgglsb2NhbGhvc3SCCW1pb3UudGVzdDAdBgNVHQ4EFgQUCzrBr7t6toor1hf2\n"
    "yzmkC0XkwiAwHwYDVR0jBBgwFoAU3YLFRK6vECbdahs1vj6dnFTm6vIwCgYIKoZI\n"
    "zj0EAwIDRwAwRAIgPFQbvd79dVToCfLBgIRI7ZBvLCBHe273OBvVHx1TmaYCIFoi\n"
    "m9Yz8I/wgiGHRIiK90dPqdfXHszdbdMRWKIRLEi2\n"
    "-----END CERTIFICATE-----\n"
    ;

static const char test_expired_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg6DbWCHBkauijYl8Y\n"
    "kixHSxlwvLSHoiZuxq6AuojMmt6hRANCAATxarZxdlb/10B7UmCyEkdo0AT9SdD1\n"
    "tMtTJNBy649jirEs9ryQ36BAxC7ntSCx4RUteCVpFjhGdfnm1Y87YR9R\n"
    "-----END PRIVATE KEY-----\n"
    ;

static const char test_other_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIByzCCAXCgAwIBAgICEAQwCgYIKoZIzj0EAwIwHDEaMBgGA1UEAwwRc29tZW9u\n"
    "ZSBlbHNlJ3MgQ0EwHhcNMjUwMTAxMDAwMDAwWhcNMzYwMTAxMDAwMDAwWjAUMRIw\n"
    "EAYDVQQDDAltaW91LnRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASYBaBo\n"
    "viXEeA4svtzcp3lr6N8eR2Dzr2ru/db4TIjnrITaldrIDSMIROlHGvNlJNOtSVJ7\n"
    "hEXDKvj+ECSTQZGAo4GpMIGmMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgeA\n"
    "MBMGA1UdJQQMMAoGCCsGAQUFBwMBMDEGA1UdEQQqMCiHBAoAAAKHBAoAAAGHBH8A\n"
    "AAGCCWxvY2FsaG9zdIIJbWlvdS50ZXN0MB0GA1UdDgQWBBSg9YIDh8cb7JZpJDBm\n"
    "rQBKC2dX5zAfBgNVHSMEGDAWgBRPrGEn2dWJqIxAgDNt3NkKiEaj4TAKBggqhkjO\n"
    "PQQDAgNJADBGAiEA4iWe9mJXHqJbYpSOMv4n106nU4rIBKas1WVkOM1w+3kCIQCq\n"
    "ggLs6f+cyyCDjS+pNC1nSkQ4JTBWheh7HbRrjV3w6A==\n"
    "-----END CERTIFICATE-----\n"
    ;

static const char test_other_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg0ye2JAD6dRh+easV\n"
    "KsuDXbmGBum4wQRNGtzj/d4N3oehRANCAASYBaBoviXEeA4svtzcp3lr6N8eR2Dz\n"
    "r2ru/db4TIjnrITaldrIDSMIROlHGvNlJNOtSVJ7hEXDKvj+ECSTQZGA\n"
    "-----END PRIVATE KEY-----\n"
    ;

#endif
