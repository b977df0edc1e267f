/*
 * kernel/sched/sched.h - kernel threads and the round-robin scheduler.
 *
 * Every thread runs in ring 0 with a stack of its own (an unmapped guard
 * page below it) and its own FPU/SSE state. The timer tick preempts a
 * thread after its time slice unless preemption is disabled. KPIO runs on
 * one CPU: masking interrupts is the lock for scheduler state.
 */
#ifndef SCHED_SCHED_H
#define SCHED_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/list.h"
#include "kernel/sched/waitq.h"

enum thread_state { THREAD_RUNNABLE, THREAD_RUNNING, THREAD_BLOCKED, THREAD_DEAD };

#define THREAD_KILL_ON_FAULT 0x1u /* a CPU exception ends the thread, not the kernel */
#define THREAD_DETACHED      0x2u /* freed when it exits; nobody joins */
#define THREAD_HIGH_PRIO     0x4u /* runs before normal threads and preempts them on wake-up */

#define THREAD_NAME_MAX      32
#define THREAD_STACK_DEFAULT (64 * 1024)

struct thread {
    uint64_t rsp; /* saved by context_switch; keep first */
    int id;
    char name[THREAD_NAME_MAX];
    enum thread_state state;
    unsigned flags;
    uintptr_t stack_base; /* the reservation, guard page first */
    size_t stack_pages;
    uint8_t *fpu; /* 512-byte FXSAVE area, 16-byte aligned */
    void *fpu_alloc;
    void (*entry)(void *);
    void *arg;

    struct list_node run_node;   /* run queue */
    struct list_node all_node;   /* every live thread, for ps */
    struct list_node wait_node;  /* in a wait queue */
    struct list_node timer_node; /* in the deadline list */
    struct waitq *waiting_on;
    uint64_t deadline_ns;
    int wake_reason;

    volatile bool kill_requested;
    int exit_code;
    struct waitq exited; /* joiners */
    int timeslice;
    uint64_t run_ns, switched_in_tsc;
    uint64_t fault_addr; /* CR2 of the last fault that ended the thread */
    void *user;          /* owner's data (the app a WASM thread runs) */
    void *tls_budget;    /* lib/tls's current connection budget (net/ktls.c) */
};

void sched_init(void);
/* Creates a runnable thread; NULL when out of memory. */
struct thread *thread_create(const char *name, void (*entry)(void *), void *arg, size_t stack_size,
                             unsigned flags);
_Noreturn void thread_exit(int code);
/* Waits for t to exit, frees it and returns its exit code; ERR_TIMEDOUT if
 * the deadline (monotonic ns, 0 = none) passes first (t is then not freed).
 * A kill of the caller does not end the wait; it stays pending. */
int thread_join(struct thread *t, uint64_t deadline_ns, int *exit_code);
/* Asks t to stop: blocked waits in t return ERR_CANCELED and long-running
 * loops (the WASM interpreter) check thread_should_stop(). */
void thread_kill(struct thread *t);
bool thread_should_stop(void);

struct thread *thread_current(void);
void thread_yield(void);
/* Sleeps until the monotonic deadline; returns ERR_CANCELED if killed. */
int thread_sleep_until(uint64_t deadline_ns);
int thread_sleep_ms(uint64_t ms);

/* Called by the timer tick and at interrupt exit (irq.c). */
void sched_tick(void);
void sched_irq_exit(void);
/* Switches to the next runnable thread; the caller set its own state. Must
 * be called with interrupts disabled. */
void schedule(void);

/* Iterates over live threads (for ps); fn runs with interrupts disabled. */
void sched_for_each(void (*fn)(struct thread *t, void *ctx), void *ctx);
uint64_t sched_context_switches(void);

#endif
