/*
 * random.c - the one seeded stream every choice of a run is drawn from:
 * xoshiro256** (public-domain algorithm by Blackman and Vigna), its state
 * filled from the seed by splitmix64, so that neighbouring seeds give
 * unrelated streams. Tests draw their workloads from it too.
 */
#include "platform/entropy.h"
#include "platform/schedule.h"
#include "sim.h"

static uint64_t state[4];
static uint64_t seed_now;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void sim_random_seed(uint64_t seed)
{
    uint64_t x = seed;
    seed_now = seed;
    for (int i = 0; i < 4; i++)
        state[i] = splitmix64(&x);
}

uint64_t miou_sim_seed(void)
{
    return seed_now;
}

uint64_t miou_sim_random(void)
{
    uint64_t result = rotl(state[1] * 5, 7) * 9;
    uint64_t t = state[1] << 17;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = rotl(state[3], 45);
    return result;
}

/* Lemire's multiply-and-reject: uniform without a division per draw. */
uint64_t miou_sim_below(uint64_t n)
{
    if (n == 0)
        return 0;
    unsigned __int128 m = (unsigned __int128)miou_sim_random() * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            m = (unsigned __int128)miou_sim_random() * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

uint64_t sim_between(uint64_t lo, uint64_t hi)
{
    if (hi <= lo)
        return lo;
    if (hi - lo == UINT64_MAX)
        return miou_sim_random();
    return lo + miou_sim_below(hi - lo + 1);
}

int sim_chance(uint32_t ppm)
{
    if (ppm == 0)
        return 0;
    return miou_sim_below(1000000) < ppm;
}

/* The order of woken tasks (platform/schedule.h): from the seed, and in
 * the trace. */
static unsigned choose(unsigned n)
{
    unsigned c = n > 1 ? (unsigned)miou_sim_below(n) : 0;
    sim_trace(EV_CHOICE, n, c, 0, NULL, 0);
    return c;
}

unsigned (*const miou__platform_choose)(unsigned n) = choose;

/* The source of random bytes (platform/entropy.h): the seeded stream, so
 * that a run with TLS replays bit for bit. */
int miou__platform_entropy(uint64_t *word)
{
    *word = miou_sim_random();
    return 0;
}
