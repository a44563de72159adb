/*
 * lwipopts.h - how this library builds lwIP: without threads (NO_SYS,
 * the raw API, called from tasks that never suspend inside it), IPv4 with
 * ARP, ICMP and DHCP, IPv6 with neighbour discovery, MLD, ICMPv6 and
 * SLAAC, UDP and TCP over both, and memory from malloc() (the start
 * info's heap under Solo5) so that the number of connections is bounded
 * by memory, not by fixed pools, while lwIP's counters still say what is
 * in use (miou_tcpip_stats()).
 */
#ifndef MIOU_LWIPOPTS_H
#define MIOU_LWIPOPTS_H

/* No operating system: the scheduler calls lwIP; no netconn, no sockets. */
#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_TIMERS 1

/* Memory: malloc() for the heap and for every pool. */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
/* Pool sizes still bound what lwIP kills under pressure; keep them
 * above the 1,000 concurrent connections the tests open. */
#define MEMP_NUM_TCP_PCB 4096
#define MEMP_NUM_TCP_PCB_LISTEN 64
#define MEMP_NUM_UDP_PCB 64
#define MEMP_NUM_TCP_SEG 65536
#define MEMP_NUM_PBUF 4096
#define PBUF_POOL_SIZE 4096
#define MEMP_NUM_SYS_TIMEOUT 16
#define MEMP_NUM_ARP_QUEUE 64

/* Protocols. */
#define LWIP_IPV4 1
#define LWIP_IPV6 1
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
/* lwIP 2.2's address conflict detection (RFC 5227) would hold a leased
 * address back for its probes, about 8 s, before the interface may use
 * it; 2.1.3 made one ARP probe (0.5 s, DHCP_DOES_ARP_CHECK, still its
 * default there). The DHCP server checks the address before offering it
 * (dnsmasq pings it). */
#define LWIP_DHCP_DOES_ACD_CHECK 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
/* For the DHCP client alone, which then asks for the lease's DNS servers
 * and gives them to dns_setserver(): our resolver (src/tcpip/dns.c)
 * takes them; lwIP's dns.c is not built. */
#define LWIP_DNS 1
#define DNS_MAX_SERVERS 3
#define IP_FORWARD 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
/* Fragments held at once, all datagrams together: a UDP datagram of
 * 65,507 bytes is 45 fragments at an MTU of 1,500 (lwIP's default of 10
 * drops anything above 14,792 bytes). A bound, not memory set aside. */
#define IP_REASS_MAX_PBUFS 128
/* IPv6: a link-local address, one per prefix that routers advertise
 * (SLAAC), a static one; duplicate address detection with one probe (the
 * static address skips it: src/tcpip/stack.c); neighbour discovery with
 * packets queued while a neighbour is resolved; MLD, so that switches
 * that snoop multicast let neighbour solicitations reach us; fragments
 * both ways. No DHCPv6. One interface: no zones in addresses. */
#define LWIP_IPV6_NUM_ADDRESSES 4
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 1
#define LWIP_ND6_ALLOW_RA_UPDATES 1
#define LWIP_IPV6_DUP_DETECT_ATTEMPTS 1
#define LWIP_IPV6_MLD 1
#define LWIP_ICMP6 1
#define LWIP_IPV6_FRAG 1
#define LWIP_IPV6_REASS 1
/* Reassembly keeps its bookkeeping (a pointer and two offsets) in place
 * of each fragment's 8-byte header: with 64-bit pointers that is too
 * small, and without this lwIP overwrites the header before it (its
 * assertion says so, but ours are off): every fragmented IPv6 datagram
 * was lost. */
#define IPV6_FRAG_COPYHEADER 1
#define LWIP_IPV6_DHCP6 0
#define LWIP_ND6_QUEUEING 1
#define MEMP_NUM_ND6_QUEUE 64
#define LWIP_ND6_NUM_NEIGHBORS 32
#define LWIP_ND6_NUM_DESTINATIONS 64
#define LWIP_ND6_TCP_REACHABILITY_HINTS 1
/* Address changes (an IPv6 address leaving its tentative state) wake the
 * tasks waiting for an address. */
#define LWIP_NETIF_EXT_STATUS_CALLBACK 1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define ARP_QUEUEING 1
#define LWIP_SINGLE_NETIF 1
#define LWIP_NETIF_STATUS_CALLBACK 1
/* Packets to the interface's own address loop back (processed after each
 * call into lwIP): a unikernel may talk TCP to itself, and the tests of
 * the layer need no peer. */
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_NETIF_LOOPBACK_MULTITHREADING 0
#define LWIP_NETIF_LINK_CALLBACK 0

/* TCP: a full-size window and send buffer, out-of-order segments kept
 * (links reorder), keepalive available, a port reusable at once after a
 * close (a restarted server must listen again). */
#define TCP_MSS 1460
#define TCP_WND (44 * TCP_MSS)
#define TCP_SND_BUF (44 * TCP_MSS)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
#define TCP_QUEUE_OOSEQ 1
#define TCP_OVERSIZE TCP_MSS
#define TCP_LISTEN_BACKLOG 0
#define LWIP_TCP_KEEPALIVE 1
#define SO_REUSE 1
#define LWIP_CALLBACK_API 1
#define LWIP_WND_SCALE 0

/* Hooks (miou_hooks.h): a connection in TIME-WAIT gives way to a new
 * SYN for its port pair (src/tcpip/timewait.c); the configured IPv6
 * gateway, when no router advertises itself (src/tcpip/stack.c). */
#define LWIP_HOOK_FILENAME "miou_hooks.h"
#define LWIP_HOOK_IP4_INPUT(p, inp) miou_tcpip__ip4_input_hook((p), (inp))
#define LWIP_HOOK_IP6_INPUT(p, inp) miou_tcpip__ip6_input_hook((p), (inp))
#define LWIP_HOOK_ND6_GET_GW(netif, dest) miou_tcpip__nd6_gateway((netif), (dest))

/* Checksums are computed and checked in software: a TAP interface, a
 * socket and the simulator all hand over frames as they are. */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 0
/* The checksum: ours (chksum.h), 8 bytes per add with carry. */
#include "chksum.h"
#define LWIP_CHKSUM miou_tcpip__chksum

/* Counters for miou_tcpip_stats(); no printing. */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define MEM_STATS 1
#define MEMP_STATS 1
#define LINK_STATS 1
#define IP_STATS 1
#define TCP_STATS 1
#define UDP_STATS 1
#define ETHARP_STATS 1

/* No debug output. lwIP's assertions stay compiled out (defining
 * LWIP_NOASSERT, whatever its value, does it): two of them ("insane
 * offset!" in tcp_in.c, "persist ticking with empty send buffer" in
 * tcp.c) fire on segments any peer can send (tests/fuzz/fuzz_frames.c
 * found both), and lwIP handles those segments without them. */
#define LWIP_NOASSERT 1

#endif
