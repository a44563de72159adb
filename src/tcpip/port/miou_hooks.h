/*
 * miou_hooks.h - the hooks our options give lwIP (lwipopts.h names this
 * file as LWIP_HOOK_FILENAME; lwIP's files that call hooks include it).
 * The functions are ours, in src/tcpip/.
 */
#ifndef MIOU_LWIP_HOOKS_H
#define MIOU_LWIP_HOOKS_H

struct pbuf;
struct netif;
struct ip6_addr;

/* An IP packet (its header at p->payload) before lwIP reads it: a new
 * SYN or an exact reset for a connection in TIME-WAIT ends the TIME-WAIT
 * (src/tcpip/timewait.c). Always 0: lwIP then takes the packet. */
int miou_tcpip__ip4_input_hook(struct pbuf *p, struct netif *inp);
int miou_tcpip__ip6_input_hook(struct pbuf *p, struct netif *inp);

/* The next hop towards (dest) when lwIP knows no router: the configured
 * IPv6 gateway, or NULL (src/tcpip/stack.c). */
const struct ip6_addr *miou_tcpip__nd6_gateway(struct netif *netif,
                                               const struct ip6_addr *dest);

#endif
