// boost_shim.cpp - the Boost.Context baseline of the benchmarks, behind a
// C interface (declared in bench/baselines.h).
//
// Boost.Context's low-level calls live in namespace
// boost::context::detail; whole workloads are written here, in C++, so
// that the measured loops call jump_fcontext directly with nothing of the
// shim in between. Built by bench/run.sh with g++ -O2.
#include <cstddef>
#include <cstdlib>

#include <boost/context/detail/fcontext.hpp>

namespace ctx = boost::context::detail;

namespace {

const std::size_t kStack = 64 * 1024;

// Both sides of the ping-pong run this loop, so that every jump is made
// from, and lands on, the same instruction (as for the other baselines).
__attribute__((noinline)) ctx::transfer_t loop(ctx::transfer_t t,
                                               unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        t = ctx::jump_fcontext(t.fctx, nullptr);
    return t;
}

void pingpong_entry(ctx::transfer_t t)
{
    loop(t, ~0ul);
    std::abort(); // a context function must never return
}

// The work of a spawned context: nothing.
void (*volatile nothing)() = [] {};

void spawn_entry(ctx::transfer_t t)
{
    nothing();
    ctx::jump_fcontext(t.fctx, nullptr);
    std::abort();
}

// A child: jumps back once (its "yield"), then ends by jumping back with
// a non-null data word.
void child_entry(ctx::transfer_t t)
{
    t = ctx::jump_fcontext(t.fctx, nullptr);
    static int done;
    ctx::jump_fcontext(t.fctx, &done);
    std::abort();
}

} // namespace

extern "C" void bench_boost_pingpong(unsigned long n)
{
    void *stack = std::malloc(kStack);
    if (!stack)
        std::abort();
    ctx::transfer_t t = {
        ctx::make_fcontext(static_cast<char *>(stack) + kStack, kStack,
                           pingpong_entry),
        nullptr};
    loop(t, n);
    std::free(stack);
}

extern "C" void bench_boost_spawn(unsigned long n)
{
    void *stack = std::malloc(kStack);
    if (!stack)
        std::abort();
    char *top = static_cast<char *>(stack) + kStack;
    for (unsigned long i = 0; i < n; i++) {
        ctx::fcontext_t c = ctx::make_fcontext(top, kStack, spawn_entry);
        ctx::jump_fcontext(c, nullptr);
    }
    std::free(stack);
}

extern "C" int bench_boost_children(unsigned long n, std::size_t stack_size,
                                    void (*probe)(void *), void *arg)
{
    void **stacks = static_cast<void **>(std::malloc(n * sizeof(void *)));
    ctx::fcontext_t *ctxs =
        static_cast<ctx::fcontext_t *>(std::malloc(n * sizeof(ctx::fcontext_t)));
    if (!stacks || !ctxs) {
        std::free(stacks);
        std::free(ctxs);
        return -1;
    }
    for (unsigned long i = 0; i < n; i++) {
        stacks[i] = std::malloc(stack_size);
        if (!stacks[i])
            std::abort();
        ctxs[i] = ctx::make_fcontext(static_cast<char *>(stacks[i]) + stack_size,
                                     stack_size, child_entry);
    }
    for (unsigned long i = 0; i < n; i++)
        ctxs[i] = ctx::jump_fcontext(ctxs[i], nullptr).fctx;
    if (probe)
        probe(arg);
    for (unsigned long i = 0; i < n; i++) {
        ctx::transfer_t t = ctx::jump_fcontext(ctxs[i], nullptr);
        if (!t.data)
            std::abort();
        std::free(stacks[i]);
    }
    std::free(stacks);
    std::free(ctxs);
    return 0;
}
