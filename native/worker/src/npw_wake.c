/*
 * npw_wake.c - the worker's side of the wake-ups (npw_protocol.h, "Wake-ups"): wait for the host's next request
 * and tell it the reply is there, without a system call while the host is running.
 *
 * Waiting spins on request_seq for a budget that adapts to what spinning bought lately: a request seen while
 * spinning keeps (or raises) the budget, a spin that ran out halves it, down to zero. So a host that sends its
 * next batch within microseconds (a pipeline loop on another CPU) is served without a wake-up, and a host that is
 * busy elsewhere, or descheduled on this worker's own CPU (where every spin only delays it), costs at most a
 * few halvings and then one probe of NPW_SPIN_MIN_NS every NPW_SPIN_PROBE_EVERY waits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "npw_worker.h"

#define NPW_SPIN_MIN_NS 2000u
#define NPW_SPIN_MAX_NS 50000u
#define NPW_SPIN_PROBE_EVERY 32u

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

/* Spins up to budget_ns for a request other than seen; returns the ns it took, or UINT64_MAX when none came. */
static uint64_t npw_spin(const npw_control_t *c, uint32_t seen, uint64_t budget_ns) {
    if (budget_ns == 0) return UINT64_MAX;
    uint64_t start = npw_now_ns();
    for (;;) {
        /* The clock is read once per 64 looks: a look is a load, a clock read may be a system call on a VM. */
        for (int i = 0; i < 64; i++) {
            if (npw_request_seq(c) != seen) return npw_now_ns() - start;
            npw_cpu_relax();
        }
        uint64_t spent = npw_now_ns() - start;
        if (spent >= budget_ns) return UINT64_MAX;
    }
}

int npw_wait_request(npw_worker_t *w) {
    npw_control_t *c = w->control;
    uint32_t seen = w->seen_request;
    uint64_t budget = w->spin_ns;
    if (budget == 0 && ++w->spin_idle % NPW_SPIN_PROBE_EVERY == 0) budget = NPW_SPIN_MIN_NS;
    uint64_t took = npw_spin(c, seen, budget);
    if (took != UINT64_MAX) {
        uint64_t want = took * 2 > NPW_SPIN_MIN_NS ? took * 2 : NPW_SPIN_MIN_NS;
        if (want > w->spin_ns) w->spin_ns = want > NPW_SPIN_MAX_NS ? NPW_SPIN_MAX_NS : want;
    } else {
        w->spin_ns /= 2;
        if (w->spin_ns < NPW_SPIN_MIN_NS) w->spin_ns = 0;
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
    w->seen_request = npw_request_seq(c);
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
