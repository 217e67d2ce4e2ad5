#!/usr/bin/env python3
"""Fails when a test file sleeps or sets a timer without saying why that is not synchronisation.

Tests wait for conditions (an event, a log line, a process exit) with a bounded deadline; a sleep that
"gives the server time" passes on an idle machine and fails on a loaded one. A line that must sleep or set
a timer for another reason (a deadline, a simulated slow server) carries a comment with the words
"not synchronisation" and the reason, e.g.

    time.sleep(latency_ms / 1000.0)  # not synchronisation: the fake provider's simulated latency

Usage: tools/check_tests.py [ROOT]  (ROOT defaults to the repository); exit 1 lists each offending line.
       tools/check_tests.py --self-test  (shows that the check catches a sleep and accepts a stated reason)"""

import os
import re
import sys
import tempfile

# Where tests and their helpers live, and the files there that are code.
TEST_DIRS = ["tests"]
CODE_EXTENSIONS = (".py", ".mjs", ".js", ".cpp", ".hpp", ".h", ".sh")
SKIP_DIRS = {"node_modules", "__pycache__"}

WAIT = re.compile(r"\b(?:time\.sleep|sleep|usleep|nanosleep|sleep_for|sleep_until|setTimeout|waitForTimeout)\s*\(")
REASON = re.compile(r"(?:#|//|/\*).*not synchronisation", re.IGNORECASE)


def offending_lines(root):
    for top in TEST_DIRS:
        for folder, dirs, files in os.walk(os.path.join(root, top)):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            for name in sorted(files):
                if not name.endswith(CODE_EXTENSIONS):
                    continue
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for number, line in enumerate(f, 1):
                        if WAIT.search(line) and not REASON.search(line):
                            yield os.path.relpath(path, root), number, line.strip()


def self_test():
    cases = {"time.sleep(0.5)\n": 1, "    await new Promise((r) => setTimeout(r, 100));\n": 1,
             "std::this_thread::sleep_for(100ms);\n": 1,
             "time.sleep(1)  # not synchronisation: a simulated slow disk\n": 0,
             "const t = setTimeout(fail, 5000); // not synchronisation: the start deadline\n": 0,
             "check(events.until(done))\n": 0}
    for text, expected in cases.items():
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "tests", "unit"))
            with open(os.path.join(root, "tests", "unit", "case.py"), "w") as f:
                f.write(text)
            if len(list(offending_lines(root))) != expected:
                print("self-test: %r should give %d finding(s)" % (text, expected))
                return 1
    print("self-test: ok")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = list(offending_lines(root))
    for path, number, line in found:
        print("%s:%d: a sleep or timer without a 'not synchronisation: why' comment: %s" % (path, number, line))
    if found:
        print("wait for a condition with a deadline instead, or say on the line why it is not synchronisation")
        return 1
    print("no sleeps as synchronisation in %s" % ", ".join(TEST_DIRS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
