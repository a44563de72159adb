/*
 * platform.c - what mbedTLS asks of its platform (our configuration,
 * src/tls/port/miou_mbedtls_config.h): memory, counted so that tests see
 * every byte come back (miou_tls_stats()), and time, from the library's
 * wall clock.
 */
#include <stdlib.h>
#include <string.h>

#include "mbedtls/platform.h"
#include "mbedtls/platform_time.h"
#include "mbedtls/platform_util.h"

#include "internal.h"

uint64_t miou_tls__heap_bytes, miou_tls__heap_peak;

/* Each block is preceded by its size, in a header that keeps the
 * block's alignment (max_align_t's). */
union header {
    size_t size;
    max_align_t align;
};

static void *tls_calloc(size_t n, size_t size)
{
    if (size && n > (SIZE_MAX - sizeof(union header)) / size)
        return NULL;
    size_t bytes = n * size;
    union header *h = calloc(1, sizeof *h + bytes);
    if (!h)
        return NULL;
    h->size = bytes;
    miou_tls__heap_bytes += bytes;
    if (miou_tls__heap_bytes > miou_tls__heap_peak)
        miou_tls__heap_peak = miou_tls__heap_bytes;
    return h + 1;
}

static void tls_free(void *p)
{
    if (!p)
        return;
    union header *h = (union header *)p - 1;
    miou_tls__heap_bytes -= h->size;
    free(h);
}

static mbedtls_time_t wall_seconds(mbedtls_time_t *t)
{
    mbedtls_time_t now = (mbedtls_time_t)(miou_clock_wall() / 1000000000u);
    if (t)
        *t = now;
    return now;
}

mbedtls_ms_time_t mbedtls_ms_time(void)
{
    return (mbedtls_ms_time_t)(miou_clock_wall() / 1000000u);
}

/* Seconds since the epoch as a UTC date: days to a civil date, counting
 * in 400-year eras of 146,097 days that start on 1 March (so that the
 * leap day ends a year). */
struct tm *mbedtls_platform_gmtime_r(const mbedtls_time_t *tt, struct tm *tm)
{
    long long t = (long long)*tt, days = t / 86400, secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    long long z = days + 719468; /* days from 0000-03-01 */
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097; /* [0, 146096] */
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365] */
    long long mp = (5 * doy + 2) / 153;                      /* March = 0 */
    long long year = yoe + era * 400 + (mp >= 10);
    memset(tm, 0, sizeof *tm);
    tm->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    tm->tm_mon = (int)(mp < 10 ? mp + 2 : mp - 10);
    tm->tm_year = (int)(year - 1900);
    tm->tm_hour = (int)(secs / 3600);
    tm->tm_min = (int)(secs / 60 % 60);
    tm->tm_sec = (int)(secs % 60);
    tm->tm_wday = (int)((days % 7 + 11) % 7); /* 1970-01-01: a Thursday */
    return tm;
}

void miou_tls__platform_init(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    mbedtls_platform_set_calloc_free(tls_calloc, tls_free);
    mbedtls_platform_set_time(wall_seconds);
}
