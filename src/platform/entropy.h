/*
 * entropy.h - randomness, a platform service like the clock: the core's
 * miou_random() (src/core/random.c) asks the platform for raw bytes here
 * and checks their health. Each platform defines it in its own folder:
 *   hosted  the kernel's getrandom(2);
 *   sim     the run's seeded stream, so that a run replays bit for bit;
 *   solo5   the CPU's instruction (RDSEED or RDRAND after CPUID on
 *           x86_64, RNDR on aarch64): a Solo5 tender gives no such call.
 */
#ifndef MIOU_PLATFORM_ENTROPY_H
#define MIOU_PLATFORM_ENTROPY_H

#include <stdint.h>

/* One 64-bit word from the source into (*word): 0, or -1 when the
 * platform has no source or it failed (an instruction that keeps
 * answering "not ready"). */
int miou__platform_entropy(uint64_t *word);

#endif
