/*
 * tests/wasi/p1_bench.c - preview1 file throughput as an app sees it:
 * writes N MiB (argv[2], default 64) to argv[1] in 64 KiB fd_write calls,
 * fsyncs, reads it back in 64 KiB fd_read calls, and prints
 * "write MiB/s" and "read MiB/s" measured with clock_time_get.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 2) return 1;
    int mib = argc > 2 ? atoi(argv[2]) : 64;
    static char buf[65536];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(i * 7);
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return 2;
    double t0 = now();
    for (int i = 0; i < mib * 16; i++)
        if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) return 3;
    fsync(fd);
    close(fd);
    double t1 = now();
    fd = open(argv[1], O_RDONLY);
    long total = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        total += n;
    close(fd);
    double t2 = now();
    if (total != (long)mib << 20) return 4;
    printf("write %.1f MiB/s\nread %.1f MiB/s\n", mib / (t1 - t0), mib / (t2 - t1));
    return 0;
}
