#!/usr/bin/env python3
"""How long each test took, on stable Rust (libtest's --report-time is nightly-only).

  cargo test … 2>&1 | python3 .ci/test-times.py record TIER   # passes the output through
  python3 .ci/test-times.py slowest 10                        # across every recorded tier
  python3 .ci/test-times.py slowest 10 TIER                   # of one tier

`record` prints every line as it comes and notes when each `test NAME ... ok` line came.
libtest starts the tests of a binary in name order, RUST_TEST_THREADS at a time, and starts
the next one the moment one ends, so the order of the result lines gives each test's start
(the end of the test whose place it took) and so its duration. When the lines do not fit
that model (a result for a test that cannot have started yet, a count that differs from
libtest's summary) the binary's times are left out with a warning, never guessed.
Times go to target/test-times/TIER.tsv (seconds, binary, test), replaced on each run.
"""

import os
import re
import sys
import time

TIMES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "test-times")

RUNNING_BIN = re.compile(r"^\s*Running (?:unittests )?(\S+) \((?:.*/)?([^/()]+?)(?:-[0-9a-f]{16})?(?:\.exe)?\)\s*$")
DOC_TESTS = re.compile(r"^\s*Doc-tests (\S+)\s*$")
RUNNING_N = re.compile(r"^running (\d+) tests?$")
RESULT = re.compile(r"^test (.+?) \.\.\. (ok|FAILED|ignored\b.*)$")
SUMMARY = re.compile(r"^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored;")


class Binary:
    def __init__(self, name, expected, started):
        self.name = name
        self.expected = expected
        self.started = started
        self.results = []  # (time, test name, ran: bool)

    def durations(self, threads):
        """[(seconds, test)] for the tests that ran, or a reason why they cannot be known."""
        if len(self.results) != self.expected:
            return None, f"{len(self.results)} result lines for {self.expected} tests"
        pending = sorted(name for _, name, _ in self.results)
        pending.reverse()
        running = {}
        out = []
        for _ in range(min(threads, len(pending))):
            running[pending.pop()] = self.started
        for at, name, ran in self.results:
            start = running.pop(name, None)
            if start is None:
                return None, f"{name} ended before libtest could have started it"
            if ran:
                out.append((max(0.0, at - start), name))
            if pending:
                running[pending.pop()] = at
        return out, None


def record(tier):
    threads = int(os.environ.get("RUST_TEST_THREADS") or os.cpu_count() or 1)
    label = "?"
    current = None
    times = []
    for line in iter(sys.stdin.readline, ""):
        now = time.monotonic()
        sys.stdout.write(line)
        sys.stdout.flush()
        text = line.rstrip("\n")
        m = RUNNING_BIN.match(text)
        if m:
            label = m.group(2).replace("-", "_")
            continue
        m = DOC_TESTS.match(text)
        if m:
            label = f"doctests {m.group(1)}"
            continue
        m = RUNNING_N.match(text)
        if m:
            current = Binary(label, int(m.group(1)), now)
            continue
        if current is None:
            continue
        m = RESULT.match(text)
        if m:
            current.results.append((now, m.group(1), not m.group(2).startswith("ignored")))
            continue
        if SUMMARY.match(text):
            got, why = current.durations(threads)
            if got is None:
                print(f"test-times: no times for {current.name}: {why}", file=sys.stderr)
            else:
                times += [(secs, current.name, test) for secs, test in got]
            current = None
    os.makedirs(TIMES_DIR, exist_ok=True)
    with open(os.path.join(TIMES_DIR, f"{tier}.tsv"), "w") as f:
        for secs, binary, test in times:
            f.write(f"{secs:.1f}\t{binary}\t{test}\n")


def slowest(n, only=None):
    rows = []
    if os.path.isdir(TIMES_DIR):
        for file in sorted(os.listdir(TIMES_DIR)):
            if file.endswith(".tsv") and only in (None, file[: -len(".tsv")]):
                tier = file[: -len(".tsv")]
                with open(os.path.join(TIMES_DIR, file)) as f:
                    for line in f:
                        secs, binary, test = line.rstrip("\n").split("\t", 2)
                        rows.append((float(secs), tier, binary, test))
    rows.sort(key=lambda r: -r[0])
    for secs, tier, binary, test in rows[:n]:
        print(f"{secs:7.1f}s  {tier:<12} {binary}::{test}")


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "record":
        record(args[1])
    elif len(args) in (2, 3) and args[0] == "slowest":
        slowest(int(args[1]), args[2] if len(args) == 3 else None)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
