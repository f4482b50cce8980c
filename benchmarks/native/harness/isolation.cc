/*
 * isolation.cc - the physical floor of a round trip between two processes, the baseline of the isolation group's
 * "empty call through the worker" (benchmarks/NativePlugins.Benchmarks/Isolation/): a child process forked once per
 * benchmark answers every ping with a pong, through
 *   eventfd_pingpong  two eventfds, blocking read/write (the worker's blocking path: NPW_FD_REQUEST / NPW_FD_REPLY)
 *   futex_pingpong    one word in shared memory, FUTEX_WAIT / FUTEX_WAKE (the cheapest blocking hand-off)
 *   spin_pingpong     one word in shared memory, both sides spinning (the worker's spinning path; other CPU only)
 * with the child on the parent's CPU (same_cpu: every hand-off is a context switch) or on another one (other_cpu).
 * One iteration is one round trip. The child dies with the parent (PR_SET_PDEATHSIG).
 */
#include <benchmark/benchmark.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <linux/futex.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_env.h"

namespace {

enum class channel { eventfd, futex, spin };

struct shared_word {
    std::atomic<uint32_t> turn; /* odd: the parent pinged, even: the child ponged */
};

int futex(std::atomic<uint32_t> *word, int op, uint32_t value) {
    return static_cast<int>(syscall(SYS_futex, reinterpret_cast<uint32_t *>(word), op, value, nullptr, nullptr, 0));
}

/* The parent's CPU, and another one it may use (-1 when there is none). */
int other_cpu(int *mine) {
    *mine = sched_getcpu();
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    for (int c = 0; c < n; c++)
        if (c != *mine) return c; /* outside the parent's mask is fine: the child sets its own */
    return -1;
}

void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

[[noreturn]] void serve(channel ch, int ping, int pong, shared_word *w) {
    for (uint32_t expect = 1;; expect += 2) {
        if (ch == channel::eventfd) {
            uint64_t n;
            if (read(ping, &n, sizeof n) != sizeof n) _exit(1);
            uint64_t one = 1;
            if (write(pong, &one, sizeof one) != sizeof one) _exit(1);
            continue;
        }
        while (w->turn.load(std::memory_order_acquire) != expect)
            if (ch == channel::futex) futex(&w->turn, FUTEX_WAIT, expect - 1);
        w->turn.store(expect + 1, std::memory_order_release);
        if (ch == channel::futex) futex(&w->turn, FUTEX_WAKE, 1);
    }
}

void BM_PingPong(benchmark::State &state, channel ch, bool same_cpu) {
    int mine = 0;
    int other = other_cpu(&mine);
    if (!same_cpu && other < 0) {
        state.SkipWithError("one CPU only: no other CPU for the child");
        return;
    }
    cpu_set_t original;
    CPU_ZERO(&original);
    sched_getaffinity(0, sizeof original, &original);
    if (same_cpu) pin(mine); /* both on one CPU even when the harness is not pinned */
    int ping = eventfd(0, EFD_CLOEXEC), pong = eventfd(0, EFD_CLOEXEC);
    auto *w = static_cast<shared_word *>(
        mmap(nullptr, sizeof(shared_word), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    if (ping < 0 || pong < 0 || w == MAP_FAILED) {
        state.SkipWithError("eventfd or mmap failed");
        return;
    }
    new (w) shared_word{};
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(0);
        pin(same_cpu ? mine : other);
        serve(ch, ping, pong, w);
    }
    uint32_t turn = 0;
    for (auto _ : state) {
        if (ch == channel::eventfd) {
            uint64_t one = 1, n;
            if (write(ping, &one, sizeof one) != sizeof one || read(pong, &n, sizeof n) != sizeof n) {
                state.SkipWithError("eventfd ping-pong failed");
                break;
            }
            continue;
        }
        w->turn.store(++turn, std::memory_order_release);
        if (ch == channel::futex) futex(&w->turn, FUTEX_WAKE, 1);
        ++turn;
        uint32_t now;
        while ((now = w->turn.load(std::memory_order_acquire)) != turn)
            if (ch == channel::futex) futex(&w->turn, FUTEX_WAIT, now);
    }
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    close(ping);
    close(pong);
    munmap(w, sizeof(shared_word));
    sched_setaffinity(0, sizeof original, &original); /* the benchmarks after this one keep run.sh's pin */
}

} // namespace

BENCHMARK_CAPTURE(BM_PingPong, eventfd_same_cpu, channel::eventfd, true)
    ->Name("isolation/eventfd_pingpong/same_cpu")
    ->UseRealTime()
    ->Apply(bench::with_min);
BENCHMARK_CAPTURE(BM_PingPong, eventfd_other_cpu, channel::eventfd, false)
    ->Name("isolation/eventfd_pingpong/other_cpu")
    ->UseRealTime()
    ->Apply(bench::with_min);
BENCHMARK_CAPTURE(BM_PingPong, futex_same_cpu, channel::futex, true)
    ->Name("isolation/futex_pingpong/same_cpu")
    ->UseRealTime()
    ->Apply(bench::with_min);
BENCHMARK_CAPTURE(BM_PingPong, futex_other_cpu, channel::futex, false)
    ->Name("isolation/futex_pingpong/other_cpu")
    ->UseRealTime()
    ->Apply(bench::with_min);
BENCHMARK_CAPTURE(BM_PingPong, spin_other_cpu, channel::spin, false)
    ->Name("isolation/spin_pingpong/other_cpu")
    ->UseRealTime()
    ->Apply(bench::with_min);
