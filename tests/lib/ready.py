"""tests/lib/ready.py - waiting until servers a test started are listening,
inside a network namespace or not: an event with a deadline, never a fixed
sleep (a loaded machine once took longer than the sleep).

    wait_listening(["ip", "netns", "exec", ns], tcp=[8080], udp=[53], procs=[p])

ss(8) (iproute2) lists the sockets in listening state; the check repeats
until every port is there, one of procs has exited (False) or the deadline
has passed (False). free_port() picks a port for such a server (or a QEMU
hostfwd) to listen on.
"""
import random
import socket
import subprocess
import time


# Ports free_port() picks from: below Linux's ephemeral range (32768-60999
# by default), so the outgoing connections of suites running beside this one
# (tests/run_tests.py -j) never take a picked port as their source port
# before the server binds it.
PICK_RANGE = (20000, 32768)


def free_port():
    """A TCP port on 127.0.0.1 that nothing is bound to right now, picked
    at random from PICK_RANGE (for a server, or a QEMU hostfwd, that cannot
    bind port 0 and report the one it got)."""
    rng = random.Random()  # seeded from the OS: two suites pick differently
    for _ in range(200):
        port = rng.randrange(*PICK_RANGE)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError("no free TCP port in %d-%d" % PICK_RANGE)


def listening_ports(wrap=()):
    """{("tcp"|"udp", port)} of the sockets listening where wrap runs ss."""
    out = subprocess.run(list(wrap) + ["ss", "-Hlntu"], capture_output=True, text=True).stdout
    ports = set()
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 5 and f[0] in ("tcp", "udp"):
            port = f[4].rsplit(":", 1)[-1]
            if port.isdigit():
                ports.add((f[0], int(port)))
    return ports


def wait_listening(wrap=(), tcp=(), udp=(), procs=(), timeout=30):
    """True once every tcp and udp port listens; False if a process of
    procs exited first or timeout seconds passed."""
    want = {("tcp", p) for p in tcp} | {("udp", p) for p in udp}
    deadline = time.monotonic() + timeout
    while True:
        if want <= listening_ports(wrap):
            return True
        if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
            return False
        time.sleep(0.05)
