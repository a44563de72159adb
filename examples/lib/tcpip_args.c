/* tcpip_args.c - see tcpip_args.h. */
#include "tcpip_args.h"

#include "netstack.h"

/* The netmask of a prefix of (bits), 0 to 32. */
static uint32_t netmask_of(uint64_t bits)
{
    return bits ? ~(uint32_t)0 << (32 - bits) : 0;
}

void tcpip_args_default(struct miou_tcpip_config *ip, uint32_t address)
{
    ip->device = "service";
    ip->address = address;
    ip->netmask = netmask_of(24);
    ip->gateway = 0;
    ip->dhcp = 0;
}

int tcpip_args_option(const struct word *w, struct miou_tcpip_config *ip,
                      int *ok)
{
    struct word v;
    uint64_t prefix;

    if (word_option(w, "--prefix", &v)) {
        *ok = word_number(&v, 0, 32, &prefix) == 0;
        if (*ok)
            ip->netmask = netmask_of(prefix);
    } else if (word_option(w, "--gateway", &v)) {
        *ok = ipv4_parse(v.s, v.len, &ip->gateway) == 0;
    } else if (word_is(w, "--dhcp")) {
        ip->dhcp = 1;
        *ok = 1;
    } else {
        return 0;
    }
    return 1;
}
