/*
 * tests/wasi/p1_sock.c - preview1's socket calls on a listening socket the
 * host provides (kpio-wasm --tcplisten): poll_oneoff on the listener,
 * sock_accept, sock_recv (two iovecs) and fd_read, sock_send and fd_write,
 * sock_shutdown, and the error cases (not a socket, bad flags). Serves one
 * connection: reads until the peer shuts down, answers "got N: TEXT"
 * upper-cased.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    __wasi_fd_t lfd = 0;
    for (__wasi_fd_t fd = 3; fd < 16 && !lfd; fd++) {
        __wasi_fdstat_t st;
        if (__wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM)
            lfd = fd;
    }
    printf("listener found: %d\n", lfd != 0);
    __wasi_fd_t c;
    printf("sock_accept on stdout: %d\n", __wasi_sock_accept(1, 0, &c));
    printf("sock_accept bad flags: %d\n", __wasi_sock_accept(lfd, 1, &c));
    __wasi_subscription_t subs[2] = {0};
    __wasi_event_t ev[2];
    __wasi_size_t n;
    subs[0].userdata = 1;
    subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
    subs[0].u.u.fd_read.file_descriptor = lfd;
    subs[1].userdata = 2;
    subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[1].u.u.clock.timeout = 20000000000ull;
    printf("ready\n");
    fflush(stdout);
    printf("poll_oneoff: %d\n", __wasi_poll_oneoff(subs, ev, 2, &n));
    printf("first event: %llu\n", (unsigned long long)ev[0].userdata);
    printf("sock_accept: %d\n", __wasi_sock_accept(lfd, 0, &c));
    char a[4] = {0}, b[64] = {0}, text[128];
    size_t len = 0;
    for (;;) {
        __wasi_iovec_t iov[2] = {{(uint8_t *)a, sizeof a}, {(uint8_t *)b, sizeof b}};
        __wasi_size_t got;
        __wasi_roflags_t ro;
        __wasi_errno_t e = __wasi_sock_recv(c, iov, 2, 0, &got, &ro);
        if (e || got == 0) break;
        size_t k = got < sizeof a ? got : sizeof a;
        if (len + got > sizeof text) break;
        memcpy(text + len, a, k);
        memcpy(text + len + k, b, got - k);
        len += got;
    }
    __wasi_size_t got;
    __wasi_roflags_t ro;
    __wasi_iovec_t one = {(uint8_t *)b, 1};
    printf("sock_recv at end: %d\n", __wasi_sock_recv(c, &one, 1, 0, &got, &ro));
    printf("received at end: %u\n", (unsigned)got);
    printf("sock_recv peek: %d\n",
           __wasi_sock_recv(c, &one, 1, __WASI_RIFLAGS_RECV_PEEK, &got, &ro));
    char reply[160];
    int m = snprintf(reply, sizeof reply, "got %zu: ", len);
    for (size_t i = 0; i < len; i++)
        reply[m++] = (char)toupper((unsigned char)text[i]);
    __wasi_ciovec_t out[2] = {{(const uint8_t *)reply, 4}, {(const uint8_t *)reply + 4, m - 4}};
    printf("sock_send: %d\n", __wasi_sock_send(c, out, 2, 0, &got));
    printf("sent: %u\n", (unsigned)got);
    __wasi_ciovec_t nl = {(const uint8_t *)"\n", 1};
    printf("fd_write on socket: %d\n", __wasi_fd_write(c, &nl, 1, &got));
    printf("sock_shutdown bad: %d\n", __wasi_sock_shutdown(c, 0));
    printf("sock_shutdown: %d\n", __wasi_sock_shutdown(c, __WASI_SDFLAGS_WR));
    printf("sock_shutdown on file: %d\n", __wasi_sock_shutdown(1, __WASI_SDFLAGS_WR));
    printf("fd_close: %d\n", __wasi_fd_close(c));
    return 0;
}
