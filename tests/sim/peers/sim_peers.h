/*
 * sim_peers.h - what the files of examples' sim peers share (sim_peers.c,
 * sim_tcp_peers.c). Built for the sim platform only.
 */
#ifndef EXAMPLES_SIM_PEERS_H
#define EXAMPLES_SIM_PEERS_H

#include <stddef.h>

#include <miou_sim.h>

/* Register the (n) peers of (peers) under their names, saying on
 * standard error which could not be. For the constructors of the peer
 * files: the platform looks the names up while it parses its command
 * line, before main code runs. */
void sim_peers_register(const struct miou_sim_peer *const *peers, size_t n);

#endif
