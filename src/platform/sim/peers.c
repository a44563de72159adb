/*
 * peers.c - the registry of peers, by name, with the platform's own:
 * silent, which drops what it receives and sends nothing (a device that
 * must be attached but has no one to talk to). Programs register theirs
 * (examples/lib/sim_peers.c registers the examples').
 */
#include <string.h>

#include "sim.h"

#define MAX_PEERS 32

static void *silent_open(struct miou_sim_link *link, const char *arg)
{
    (void)arg;
    return link; /* any non-NULL state */
}

static const struct miou_sim_peer silent = {"silent", silent_open, NULL, NULL,
                                            NULL};

static const struct miou_sim_peer *peers[MAX_PEERS] = {&silent};
static size_t npeers = 1;

const struct miou_sim_peer *sim_peer_find(const char *name)
{
    for (size_t i = 0; i < npeers; i++)
        if (strcmp(peers[i]->name, name) == 0)
            return peers[i];
    return NULL;
}

int miou_sim_peer_register(const struct miou_sim_peer *peer)
{
    if (!peer || !peer->name || npeers == MAX_PEERS ||
        sim_peer_find(peer->name))
        return -1;
    peers[npeers++] = peer;
    return 0;
}
