#!/usr/bin/env python3
"""Runs a test command if its prerequisites are present. A missing one is a failure in CI (CI=true) and a
counted skip elsewhere (exit 77, which meson reports as SKIP): never a silent pass, never an unregistered test.

    require.py [--program NAME]... [--path PATH]... -- COMMAND [ARG]...

A COMMAND without a slash is looked up on PATH at run time, so installing it later needs no reconfigure."""

import os
import shutil
import sys

SKIP_EXIT_CODE = 77


def main(argv):
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    missing = []
    for flag, value in zip(options[::2], options[1::2]):
        if flag == "--program" and shutil.which(value) is None:
            missing.append("program %s not on PATH" % value)
        elif flag == "--path" and not os.path.exists(value):
            missing.append("%s does not exist" % value)
        elif flag not in ("--program", "--path"):
            print("require.py: unknown option %s" % flag, file=sys.stderr)
            return 2
    if missing:
        ci = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
        print("%s: %s" % ("FAIL missing prerequisite" if ci else "SKIP", "; ".join(missing)), flush=True)
        return 1 if ci else SKIP_EXIT_CODE
    program = shutil.which(command[0]) or command[0]
    os.execv(program, [program] + command[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
