# SPDX-License-Identifier: MIT
"""A failed TAP check on stderr too, for the two TAP producers (initns.py's
Tap, used by the host and net tests, and tests/qemu/lib/guest.py's)."""
import sys


def failure_to_stderr(n, name, diag, lines=20):
    """A failed check, and the first lines of its diagnostics, on stderr too:
    prove shows a test's stderr without -v, so a failure in `make test` (and
    in CI's log) says which check failed and why, not only its number."""
    diag = str(diag).splitlines() if diag else []
    sys.stderr.write("not ok %d - %s\n" % (n, name) +
                     "".join("#   %s\n" % line[:300] for line in diag[:lines]) +
                     ("#   (%d more lines on stdout)\n" % (len(diag) - lines)
                      if len(diag) > lines else ""))
    sys.stderr.flush()
