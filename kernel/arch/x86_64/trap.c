/*
 * kernel/arch/x86_64/trap.c - CPU exceptions and backtraces.
 *
 * An exception prints its name, vector, error code, RIP, CR2, every register
 * and a frame-pointer backtrace with symbol names on the console. A thread
 * created with THREAD_KILL_ON_FAULT is then ended (the kernel carries on);
 * anything else is a kernel bug and stops the machine through panic().
 */
#include "kernel/arch/x86_64/trap.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/gdt.h"
#include "kernel/arch/x86_64/layout.h"
#include "base/error.h"
#include "kernel/lib/klog.h"
#include "kernel/lib/ksyms.h"
#include "kernel/lib/panic.h"
#include "kernel/mm/vmm.h"
#include "kernel/sched/sched.h"

static const char *const names[32] = {
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "bound range exceeded",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor segment overrun",
    "invalid TSS",
    "segment not present",
    "stack-segment fault",
    "general protection fault",
    "page fault",
    "reserved",
    "x87 floating-point error",
    "alignment check",
    "machine check",
    "SIMD floating-point error",
    "virtualization exception",
    "control protection",
};

static int readable(uint64_t addr)
{
    return addr >= DIRECT_MAP_BASE && (addr & 7) == 0 && vmm_translate(addr, NULL, NULL) == 0 &&
           vmm_translate(addr + 8, NULL, NULL) == 0;
}

static void print_frame(int i, uint64_t rip)
{
    uint64_t off = 0;
    const char *name = ksyms_lookup(rip, &off);
    if (name)
        kprintf("  #%-2d %#018llx %s+%#llx\n", i, (unsigned long long)rip, name,
                (unsigned long long)off);
    else
        kprintf("  #%-2d %#018llx ?\n", i, (unsigned long long)rip);
}

void backtrace_print(uint64_t rip, uint64_t rbp)
{
    kprintf("backtrace:\n");
    print_frame(0, rip);
    for (int i = 1; i < 32 && rbp && readable(rbp); i++) {
        const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
        uint64_t ret = frame[1];
        if (!ret) break;
        print_frame(i, ret);
        if (frame[0] <= rbp && !gdt_ist_contains(rbp))
            break; /* frames must go up the stack; stop at anything else */
        rbp = frame[0];
    }
}

static void print_regs(const struct trap_frame *f)
{
    kprintf("  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n", (unsigned long long)f->rax,
            (unsigned long long)f->rbx, (unsigned long long)f->rcx, (unsigned long long)f->rdx);
    kprintf("  rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n", (unsigned long long)f->rsi,
            (unsigned long long)f->rdi, (unsigned long long)f->rbp, (unsigned long long)f->rsp);
    kprintf("  r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n", (unsigned long long)f->r8,
            (unsigned long long)f->r9, (unsigned long long)f->r10, (unsigned long long)f->r11);
    kprintf("  r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n", (unsigned long long)f->r12,
            (unsigned long long)f->r13, (unsigned long long)f->r14, (unsigned long long)f->r15);
    kprintf("  rip %016llx rflags %08llx cs %02llx ss %02llx cr2 %016llx cr3 %016llx\n",
            (unsigned long long)f->rip, (unsigned long long)f->rflags, (unsigned long long)f->cs,
            (unsigned long long)f->ss, (unsigned long long)read_cr2(),
            (unsigned long long)read_cr3());
}

/* A fault address in a thread's guard page means its stack overflowed. */
static int in_guard_page(const struct thread *t, uint64_t addr)
{
    return t && t->stack_base && addr >= t->stack_base && addr < t->stack_base + 4096;
}

void exception_handle(struct trap_frame *f)
{
    struct thread *t = thread_current();
    int v = (int)f->vector;
    uint64_t cr2 = read_cr2();
    const char *name = names[v] ? names[v] : "reserved";
    kprintf("\n*** %s (vector %d, error %#llx) in thread %d '%s'\n", name, v,
            (unsigned long long)f->error, t ? t->id : -1, t ? t->name : "?");
    if (v == 14)
        kprintf("    faulting address %#llx (%s %s, %s)\n", (unsigned long long)cr2,
                (f->error & 2) ? "write" : "read", (f->error & 16) ? "instruction fetch" : "access",
                (f->error & 1) ? "protection violation" : "page not present");
    if ((v == 14 || v == 8) && in_guard_page(t, cr2))
        kprintf("    the address is in the thread's stack guard page: stack overflow\n");
    print_regs(f);
    backtrace_print(f->rip, f->rbp);
    if (t && (t->flags & THREAD_KILL_ON_FAULT) && v != 8 && v != 18) {
        klog_warn("trap", "thread %d '%s' ended by %s", t->id, t->name, name);
        t->fault_addr = cr2;
        thread_exit(ERR_FAULT);
    }
    panic("unhandled %s", name);
}
