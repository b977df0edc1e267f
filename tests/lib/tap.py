"""tests/lib/tap.py - TAP output for KPIO's python test suites.

    from tap import Tap
    t = Tap()
    t.ok(cond, "name", diag="shown when it fails")
    t.skip("name", "why")
    with t.case("name"):      # passes unless the block raises
        ...
    sys.exit(t.done())
"""
import sys
import traceback
from contextlib import contextmanager


class Tap:
    def __init__(self, out=sys.stdout):
        self.out = out
        self.n = 0
        self.failed = 0

    def _line(self, text):
        self.out.write(text + "\n")
        self.out.flush()

    def diag(self, text):
        for line in str(text).splitlines() or [""]:
            self._line("# " + line)

    def ok(self, cond, name, diag=None):
        self.n += 1
        if cond:
            self._line(f"ok {self.n} - {name}")
        else:
            self.failed += 1
            self._line(f"not ok {self.n} - {name}")
            if diag:
                self.diag(diag)
        return bool(cond)

    def skip(self, name, why):
        self.n += 1
        self._line(f"ok {self.n} - {name} # SKIP {why}")

    @contextmanager
    def case(self, name):
        try:
            yield
        except Exception:  # a failing case reports and the suite goes on
            self.ok(False, name, traceback.format_exc())
        else:
            self.ok(True, name)

    def done(self):
        self._line(f"1..{self.n}")
        return 1 if self.failed else 0
