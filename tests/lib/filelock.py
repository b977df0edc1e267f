"""tests/lib/filelock.py - one writer at a time for files that several test
suites share in the build folder (converted spec files, certificates,
components made by jco): suites run in parallel (tests/run_tests.py -j),
and a suite must never read what another is still writing.

    from filelock import held
    with held(path):          # path + ".lock", an exclusive flock(2)
        if stale(path):
            make(path)

The lock ends with the process, so a suite that is killed leaves nothing
stuck behind.
"""
import contextlib
import fcntl
import os


@contextlib.contextmanager
def held(path):
    """Holds the exclusive lock of path (the file path + ".lock") for the
    block; waits for another holder to finish first."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + ".lock", "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
