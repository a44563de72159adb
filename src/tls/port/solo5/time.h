/*
 * time.h - what mbedTLS takes from <time.h> on the Solo5 target, whose
 * freestanding C library has no time.h: the types. mbedTLS's calls to
 * the time are ours (MBEDTLS_PLATFORM_TIME_ALT, _GMTIME_R_ALT: see
 * src/tls/platform.c), so no function is declared here.
 */
#ifndef MIOU_TLS_PORT_TIME_H
#define MIOU_TLS_PORT_TIME_H

typedef long long time_t;

struct tm {
    int tm_sec, tm_min, tm_hour;  /* 0-60, 0-59, 0-23 */
    int tm_mday, tm_mon, tm_year; /* 1-31, 0-11, years since 1900 */
    int tm_wday, tm_yday, tm_isdst;
};

#endif
