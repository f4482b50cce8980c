/*
 * npw_restrict.c - the worker's restricted mode (IsolationOptions.Restricted, --restricted): no new privileges
 * (a setuid program cannot raise them back) and a seccomp filter that refuses, with EPERM, network sockets (every
 * socket family but AF_UNIX) and execve/execveat. Installed after the channels are mapped and before the library
 * is loaded, so that neither np_entry nor init runs unrestricted. A plugin sees an ordinary failing system call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "npw_worker.h"

#if defined(__x86_64__)
#define NPW_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NPW_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

int npw_restrict(void) {
#ifdef NPW_AUDIT_ARCH
    struct sock_filter filter[] = {
        /* Another architecture's calling convention (e.g. the x32 or i386 entry points): refuse it outright. */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NPW_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        /* execve and execveat jump to the EPERM return (the last instruction), socket to its domain check. */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execve, 5, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execveat, 4, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 2),
        /* socket(domain, ...): AF_UNIX only */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
    };
    struct sock_fprog program = {(unsigned short)(sizeof filter / sizeof filter[0]), filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}
