/*
 * npw_wake.c - the worker's side of the wake-ups (npw_protocol.h, "Wake-ups"): wait for the host's next request
 * and tell it the reply is there, without a system call while both sides run on CPUs of their own.
 *
 * The rule, the same on the host's side (src/NativePlugins.Host/Isolation/AdaptiveSpin.cs):
 *   - wait actively for what the waits of late took (an average of each wait, spun or blocked, from its start to
 *     the answer) twice over plus NPW_SPIN_SLACK_NS, bounded by the spin limit (the host's IsolationOptions.MaxSpin,
 *     --spin-ns); a wait expected to be longer than the limit blocks at once, since then a wake-up costs little
 *     beside the wait;
 *   - while the other side was last seen on this thread's CPU, waiting actively means sched_yield: a spin there
 *     only keeps the other from running, a yield hands it the CPU without the wake-up of a blocking wait (on this
 *     VM a round trip of 4.1-4.2 us instead of 5.3-5.5); on another CPU it means a pause loop on the sequence number.
 * So a pipeline loop on another CPU is served without a wake-up whatever its batches take up to the limit (the
 * protocol-2 rule, which only learnt from spins that succeeded, never spun again once its calls outgrew a probe),
 * and a host busy elsewhere costs at most a few spins before the average says it is slow.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "npw_worker.h"

static uint64_t npw_now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static inline void npw_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static uint32_t npw_request_seq(const npw_control_t *c) { return __atomic_load_n(&c->request_seq, __ATOMIC_ACQUIRE); }

/* This thread's CPU as the protocol's cpu fields carry it: the number + 1, 0 when unknown. */
static uint32_t npw_cpu_now(void) {
    int cpu = sched_getcpu();
    return cpu < 0 ? 0u : (uint32_t)cpu + 1u;
}

uint64_t npw_spin_budget(uint64_t expect_ns, uint64_t max_ns, uint32_t my_cpu, uint32_t other_cpu) {
    (void)my_cpu;
    (void)other_cpu;
    if (max_ns == 0 || expect_ns > max_ns) return 0;
    uint64_t budget = expect_ns * 2 + NPW_SPIN_SLACK_NS;
    return budget > max_ns ? max_ns : budget;
}

uint64_t npw_spin_average(uint64_t average_ns, uint64_t took_ns) {
    /* Three quarters of the past, a quarter of the last wait: a change in the other side's pace shows in a few. */
    return average_ns == 0 ? took_ns : (average_ns * 3 + took_ns) / 4;
}

/* Spins up to budget_ns for a request other than seen; 1 when one came. */
static int npw_spin(const npw_control_t *c, uint32_t seen, uint64_t start, uint64_t budget_ns, int same_cpu) {
    if (budget_ns == 0) return 0;
    if (same_cpu) {
        /* The host runs on this CPU: hand it the CPU until it answers (a yield, not a wake-up through a blocking wait). */
        for (;;) {
            if (npw_request_seq(c) != seen) return 1;
            sched_yield();
            if (npw_request_seq(c) != seen) return 1;
            if (npw_now_ns() - start >= budget_ns) return 0;
        }
    }
    for (;;) {
        /* The clock is read once per 64 looks: a look is a load, a clock read may be a system call on a VM. */
        for (int i = 0; i < 64; i++) {
            if (npw_request_seq(c) != seen) return 1;
            npw_cpu_relax();
        }
        if (npw_now_ns() - start >= budget_ns) return 0;
    }
}

int npw_wait_request(npw_worker_t *w) {
    npw_control_t *c = w->control;
    uint32_t seen = w->seen_request;
    uint32_t mine = npw_cpu_now();
    __atomic_store_n(&c->worker_cpu, mine, __ATOMIC_RELAXED);
    uint64_t start = npw_now_ns();
    uint32_t host = __atomic_load_n(&c->host_cpu, __ATOMIC_RELAXED);
    uint64_t budget = npw_spin_budget(w->wait_average_ns, w->spin_max_ns, mine, host);
    if (!npw_spin(c, seen, start, budget, mine != 0 && mine == host)) {
        __atomic_store_n(&c->worker_waiting, 1u, __ATOMIC_SEQ_CST);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        while (npw_request_seq(c) == seen) {
            uint64_t n;
            ssize_t r = read(NPW_FD_REQUEST, &n, sizeof n);
            if (r < 0 && errno == EINTR) continue;
            if (r != (ssize_t)sizeof n) return -1;
        }
        __atomic_store_n(&c->worker_waiting, 0u, __ATOMIC_RELAXED);
    }
    w->wait_average_ns = npw_spin_average(w->wait_average_ns, npw_now_ns() - start);
    w->seen_request = npw_request_seq(c);
    /* Where the request is served: the host's spin on the reply reads it. */
    __atomic_store_n(&c->worker_cpu, npw_cpu_now(), __ATOMIC_RELAXED);
    return 0;
}

void npw_publish_reply(npw_worker_t *w) {
    npw_control_t *c = w->control;
    __atomic_store_n(&c->reply_seq, w->seen_request, __ATOMIC_SEQ_CST);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&c->host_waiting, __ATOMIC_SEQ_CST) != 0) {
        uint64_t one = 1;
        while (write(NPW_FD_REPLY, &one, sizeof one) < 0 && errno == EINTR) {}
    }
}
