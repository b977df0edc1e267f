/*
 * kernel/sched/sched.c - threads, the run queue, deadlines and preemption.
 *
 * Round robin in two levels: high-priority threads (the network thread)
 * run before normal ones and a high-priority thread woken up preempts a
 * normal one at once; within a level a runnable thread waits at the tail of
 * its queue, and the running one keeps the CPU until it blocks, yields or
 * spends its slice of SLICE_TICKS ticks, at which point the tick handler
 * asks for a switch at interrupt exit. The idle thread halts the CPU.
 */
#include "kernel/sched/sched.h"

#include "kernel/arch/x86_64/cpu.h"
#include "base/error.h"
#include "base/mem.h"
#include "base/util.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"
#include "kernel/mm/kva.h"
#include "kernel/mm/pmm.h"
#include "kernel/time/clock.h"

#define SLICE_TICKS 10

void context_switch(uint64_t *save_rsp, uint64_t rsp);

static struct thread *current, *idle_thread, *to_reap;
static struct list_node runq = LIST_INIT(runq);
static struct list_node runq_high = LIST_INIT(runq_high);
static struct list_node all_threads = LIST_INIT(all_threads);
static struct list_node timers = LIST_INIT(timers);
static volatile bool need_resched;
static int next_id = 1;
static uint64_t nswitches;
static uint8_t fpu_template[512] __attribute__((aligned(16)));
static struct thread boot_thread;
static uint8_t boot_fpu[512] __attribute__((aligned(16)));

static void fpu_setup(void)
{
    uint64_t cr0 = read_cr0();
    cr0 &= ~(1ull << 2);              /* EM: no x87 emulation */
    cr0 |= (1ull << 1) | (1ull << 5); /* MP, NE */
    write_cr0(cr0);
    write_cr4(read_cr4() | (1ull << 9) | (1ull << 10)); /* OSFXSR, OSXMMEXCPT */
    uint32_t mxcsr = 0x1F80; /* all exceptions masked, round to nearest */
    __asm__ volatile("fninit; ldmxcsr %0; fxsave %1" ::"m"(mxcsr), "m"(fpu_template));
}

struct thread *thread_current(void)
{
    return current;
}

static void timer_remove(struct thread *t)
{
    if (t->deadline_ns) {
        list_remove(&t->timer_node);
        t->deadline_ns = 0;
    }
}

static void timer_insert(struct thread *t)
{
    struct list_node *it;
    list_for_each(it, &timers)
    {
        if (list_entry(it, struct thread, timer_node)->deadline_ns > t->deadline_ns) break;
    }
    list_insert_between(&t->timer_node, it->prev, it);
}

static void enqueue(struct thread *t)
{
    list_push_back((t->flags & THREAD_HIGH_PRIO) ? &runq_high : &runq, &t->run_node);
}

static bool runnable_waiting(void)
{
    return !list_empty(&runq_high) || !list_empty(&runq);
}

/* Makes a blocked thread runnable; interrupts disabled. */
static void wake(struct thread *t, int reason)
{
    if (t->state != THREAD_BLOCKED) return;
    if (t->waiting_on) {
        list_remove(&t->wait_node);
        t->waiting_on = NULL;
    }
    timer_remove(t);
    t->wake_reason = reason;
    t->state = THREAD_RUNNABLE;
    enqueue(t);
    if (current == idle_thread ||
        ((t->flags & THREAD_HIGH_PRIO) && !(current->flags & THREAD_HIGH_PRIO)))
        need_resched = true;
}

static void finish_switch(void)
{
    if (to_reap) {
        struct thread *t = to_reap;
        to_reap = NULL;
        list_remove(&t->all_node);
        kva_free(t->stack_base, t->stack_pages + 1);
        kfree(t->fpu_alloc);
        kfree(t);
    }
    current->switched_in_tsc = rdtsc();
}

void schedule(void)
{
    struct thread *prev = current;
    if (prev->state == THREAD_RUNNING) {
        prev->state = THREAD_RUNNABLE;
        if (prev != idle_thread) enqueue(prev);
    }
    struct list_node *n = list_pop_front(&runq_high);
    if (!n) n = list_pop_front(&runq);
    struct thread *next = n ? list_entry(n, struct thread, run_node) : idle_thread;
    need_resched = false;
    if (next == prev) {
        prev->state = THREAD_RUNNING;
        return;
    }
    /* prev stays queued only if runnable; idle is never queued. */
    next->state = THREAD_RUNNING;
    next->timeslice = SLICE_TICKS;
    prev->run_ns += clock_tsc_to_ns(rdtsc() - prev->switched_in_tsc);
    nswitches++;
    if (prev->state == THREAD_DEAD && (prev->flags & THREAD_DETACHED)) to_reap = prev;
    __asm__ volatile("fxsave %0" : "=m"(*(uint8_t(*)[512])prev->fpu));
    __asm__ volatile("fxrstor %0" ::"m"(*(uint8_t(*)[512])next->fpu));
    current = next;
    context_switch(&prev->rsp, next->rsp);
    finish_switch();
}

/* First code a new thread runs (context_switch "returns" here). */
static _Noreturn void thread_start(void)
{
    finish_switch();
    irq_enable();
    current->entry(current->arg);
    thread_exit(0);
}

struct thread *thread_create(const char *name, void (*entry)(void *), void *arg, size_t stack_size,
                             unsigned flags)
{
    struct thread *t = kzalloc(sizeof *t);
    if (!t) return NULL;
    size_t pages = ALIGN_UP(stack_size ? stack_size : THREAD_STACK_DEFAULT, PAGE_SIZE) / PAGE_SIZE;
    t->fpu_alloc = kmalloc(512 + 16);
    t->stack_base = kva_alloc(pages + 1, 1, pages); /* page 0: guard */
    if (!t->fpu_alloc || !t->stack_base) {
        if (t->stack_base) kva_free(t->stack_base, pages + 1);
        kfree(t->fpu_alloc);
        kfree(t);
        return NULL;
    }
    t->fpu = (uint8_t *)ALIGN_UP((uintptr_t)t->fpu_alloc, 16);
    memcpy(t->fpu, fpu_template, 512);
    t->stack_pages = pages;
    str_copy(t->name, name, sizeof t->name);
    t->entry = entry;
    t->arg = arg;
    t->flags = flags;
    waitq_init(&t->exited);
    list_init(&t->wait_node);
    list_init(&t->timer_node);

    uint64_t *top = (uint64_t *)(t->stack_base + (pages + 1) * PAGE_SIZE);
    *--top = 0;                                 /* fake return address of thread_start */
    *--top = (uint64_t)(uintptr_t)thread_start; /* context_switch's ret */
    *--top = 0x2;                               /* RFLAGS: interrupts off */
    for (int i = 0; i < 6; i++)
        *--top = 0; /* rbp rbx r12 r13 r14 r15 */
    t->rsp = (uint64_t)(uintptr_t)top;

    uint64_t f = irq_save();
    t->id = next_id++;
    t->state = THREAD_RUNNABLE;
    list_push_back(&all_threads, &t->all_node);
    enqueue(t);
    irq_restore(f);
    return t;
}

_Noreturn void thread_exit(int code)
{
    irq_disable();
    struct thread *t = current;
    t->exit_code = code;
    t->state = THREAD_DEAD;
    timer_remove(t);
    waitq_wake_all(&t->exited);
    schedule();
    for (;;)
        hlt(); /* unreachable: a dead thread is never scheduled again */
}

int thread_join(struct thread *t, uint64_t deadline_ns, int *exit_code)
{
    /* A kill of the joining thread does not end the wait (it stays
     * pending): an uninterruptible sleep, not a loop around a wait that a
     * pending kill ends at once. */
    int r = 0;
    uint64_t f = irq_save();
    while (t->state != THREAD_DEAD && r == 0)
        r = waitq_sleep_uninterruptible(&t->exited, deadline_ns);
    if (t->state != THREAD_DEAD) {
        irq_restore(f);
        return r < 0 ? r : ERR_TIMEDOUT;
    }
    list_remove(&t->all_node);
    irq_restore(f);
    if (exit_code) *exit_code = t->exit_code;
    kva_free(t->stack_base, t->stack_pages + 1);
    kfree(t->fpu_alloc);
    kfree(t);
    return 0;
}

void thread_kill(struct thread *t)
{
    uint64_t f = irq_save();
    t->kill_requested = true;
    wake(t, ERR_CANCELED);
    irq_restore(f);
}

bool thread_should_stop(void)
{
    return current->kill_requested;
}

void thread_yield(void)
{
    uint64_t f = irq_save();
    schedule();
    irq_restore(f);
}

int thread_sleep_until(uint64_t deadline_ns)
{
    uint64_t f = irq_save();
    int r;
    do
        r = waitq_sleep(NULL, deadline_ns);
    while (r == 0);
    irq_restore(f);
    return r == ERR_TIMEDOUT ? 0 : r;
}

int thread_sleep_ms(uint64_t ms)
{
    return thread_sleep_until(clock_monotonic_ns() + ms * NS_PER_MS);
}

void waitq_init(struct waitq *wq)
{
    list_init(&wq->waiters);
}

int waitq_sleep(struct waitq *wq, uint64_t deadline_ns)
{
    struct thread *t = current;
    if (t->kill_requested) return ERR_CANCELED;
    if (deadline_ns && clock_monotonic_ns() >= deadline_ns) return ERR_TIMEDOUT;
    BASE_ASSERT(t != idle_thread);
    t->waiting_on = wq;
    if (wq) list_push_back(&wq->waiters, &t->wait_node);
    t->deadline_ns = deadline_ns;
    if (deadline_ns) timer_insert(t);
    t->wake_reason = 0;
    t->state = THREAD_BLOCKED;
    schedule();
    return t->wake_reason;
}

int waitq_sleep_uninterruptible(struct waitq *wq, uint64_t deadline_ns)
{
    struct thread *t = current;
    bool killed = t->kill_requested;
    t->kill_requested = false;
    int r = waitq_sleep(wq, deadline_ns);
    if (r == ERR_CANCELED) /* killed meanwhile: a spurious wake-up for us */
        r = 0;
    t->kill_requested = killed || t->kill_requested;
    return r;
}

void waitq_wake_one(struct waitq *wq)
{
    uint64_t f = irq_save();
    if (!list_empty(&wq->waiters)) wake(list_entry(wq->waiters.next, struct thread, wait_node), 0);
    irq_restore(f);
}

void waitq_wake_all(struct waitq *wq)
{
    uint64_t f = irq_save();
    while (!list_empty(&wq->waiters))
        wake(list_entry(wq->waiters.next, struct thread, wait_node), 0);
    irq_restore(f);
}

void mutex_init(struct mutex *m)
{
    m->owner = NULL;
    waitq_init(&m->wq);
}

void mutex_lock(struct mutex *m)
{
    uint64_t f = irq_save();
    BASE_ASSERT(m->owner != current);
    while (m->owner) {
        /* A kill must not break a lock wait: callers rely on holding it. */
        bool killed = current->kill_requested;
        current->kill_requested = false;
        waitq_sleep(&m->wq, 0);
        current->kill_requested = killed || current->kill_requested;
    }
    m->owner = current;
    irq_restore(f);
}

void mutex_unlock(struct mutex *m)
{
    uint64_t f = irq_save();
    BASE_ASSERT(m->owner == current);
    m->owner = NULL;
    waitq_wake_one(&m->wq);
    irq_restore(f);
}

void sched_tick(void)
{
    uint64_t now = clock_monotonic_ns();
    while (!list_empty(&timers)) {
        struct thread *t = list_entry(timers.next, struct thread, timer_node);
        if (t->deadline_ns > now) break;
        wake(t, ERR_TIMEDOUT);
    }
    if (current != idle_thread && --current->timeslice <= 0 && runnable_waiting())
        need_resched = true;
}

void sched_irq_exit(void)
{
    if (need_resched) schedule();
}

static void idle_loop(void *arg)
{
    (void)arg;
    for (;;) {
        irq_disable();
        if (runnable_waiting())
            schedule();
        else
            irq_enable_and_halt();
    }
}

void sched_init(void)
{
    fpu_setup();
    boot_thread.id = next_id++;
    str_copy(boot_thread.name, "main", sizeof boot_thread.name);
    boot_thread.state = THREAD_RUNNING;
    boot_thread.fpu = boot_fpu;
    boot_thread.timeslice = SLICE_TICKS;
    waitq_init(&boot_thread.exited);
    list_init(&boot_thread.wait_node);
    list_init(&boot_thread.timer_node);
    list_push_back(&all_threads, &boot_thread.all_node);
    current = &boot_thread;
    current->switched_in_tsc = rdtsc();

    idle_thread = thread_create("idle", idle_loop, NULL, 16384, 0);
    BASE_ASSERT(idle_thread);
    /* The idle thread runs only when nothing else can: take it off the queue. */
    list_remove(&idle_thread->run_node);
    idle_thread->id = 0;
}

void sched_for_each(void (*fn)(struct thread *t, void *ctx), void *ctx)
{
    uint64_t f = irq_save();
    struct list_node *it;
    list_for_each(it, &all_threads) fn(list_entry(it, struct thread, all_node), ctx);
    irq_restore(f);
}

uint64_t sched_context_switches(void)
{
    return nswitches;
}
