/*
 * entropy.c - the hosted platform's source of random bytes
 * (platform/entropy.h): the kernel's getrandom(2), which blocks only
 * until the kernel's pool is first seeded, early at boot.
 */
#include <errno.h>
#include <sys/random.h>

#include "platform/entropy.h"

int miou__platform_entropy(uint64_t *word)
{
    for (int tries = 0; tries < 8; tries++) {
        ssize_t n = getrandom(word, sizeof *word, 0);
        if (n == (ssize_t)sizeof *word)
            return 0;
        if (n < 0 && errno != EINTR)
            return -1;
    }
    return -1;
}
