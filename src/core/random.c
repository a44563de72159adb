/*
 * random.c - miou_random(): the platform's source of random bytes
 * (platform/entropy.h), word by word, under two health checks in the
 * spirit of NIST SP 800-90B: at the first use in a process, a start-up
 * test of STARTUP_WORDS words (none all-zero or all-one, no two the
 * same), and on every word after, a repetition test (it must differ from
 * the previous one; a healthy 64-bit source repeats with probability
 * 2^-64). A failure is final: a source caught stuck once is not trusted
 * again, and every later call answers MIOU_ENOENTROPY.
 */
#include <string.h>

#include "internal.h"
#include "platform/entropy.h"

#define STARTUP_WORDS 16

static enum { UNTESTED, HEALTHY, FAILED } health;
static uint64_t last;

static int draw(uint64_t *w)
{
    if (miou__platform_entropy(w) != 0 || *w == last) {
        health = FAILED;
        return -1;
    }
    last = *w;
    return 0;
}

static int startup_test(void)
{
    uint64_t seen[STARTUP_WORDS];
    for (size_t i = 0; i < STARTUP_WORDS; i++) {
        if (draw(&seen[i]) != 0 || seen[i] == 0 || seen[i] == UINT64_MAX)
            goto failed;
        for (size_t j = 0; j < i; j++)
            if (seen[j] == seen[i])
                goto failed;
    }
    health = HEALTHY;
    return 0;
failed:
    health = FAILED;
    return -1;
}

int miou_random(void *buf, size_t len)
{
    unsigned char *out = buf;
    if (!buf && len)
        return MIOU_EINVAL;
    if (health == UNTESTED)
        startup_test();
    while (health == HEALTHY && len > 0) {
        uint64_t w;
        if (draw(&w) != 0)
            break;
        size_t n = len < sizeof w ? len : sizeof w;
        memcpy(out, &w, n);
        out += n;
        len -= n;
    }
    if (health != HEALTHY) {
        memset(out, 0, len);
        return MIOU_ENOENTROPY;
    }
    return 0;
}
