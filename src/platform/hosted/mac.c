/*
 * mac.c - MAC addresses of net devices: the one --net-mac gives, or one
 * made up for the device.
 */
#include <string.h>
#include <unistd.h>

#include "hosted.h"
#include "util/bytes.h"

int hosted_mac_parse(const char *s, uint8_t mac[SOLO5_NET_ALEN])
{
    size_t i;

    /* Exactly two digits per byte: "1:2:3:4:5:6" is refused rather than
     * guessed at. */
    if (strlen(s) != SOLO5_NET_ALEN * 3 - 1)
        return -1;
    for (i = 0; i < SOLO5_NET_ALEN; i++) {
        const char *p = s + i * 3;
        int hi = miou__hex_digit(p[0]), lo = miou__hex_digit(p[1]);

        if (hi < 0 || lo < 0 || (i + 1 < SOLO5_NET_ALEN && p[2] != ':'))
            return -1;
        mac[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

void hosted_mac_make(size_t index, uint8_t mac[SOLO5_NET_ALEN])
{
    uint32_t pid = (uint32_t)getpid();

    /* 0x02: locally administered (no vendor's range) and unicast. The pid
     * tells two unikernels of one host apart, the index two devices of one
     * unikernel. */
    mac[0] = 0x02;
    mac[1] = (uint8_t)(pid >> 24);
    mac[2] = (uint8_t)(pid >> 16);
    mac[3] = (uint8_t)(pid >> 8);
    mac[4] = (uint8_t)pid;
    mac[5] = (uint8_t)index;
}
