#!/usr/bin/env python3
"""Prints every file under the static/ folder, one per line, for meson to track as build inputs."""
import os
import sys

root = sys.argv[1]
for folder, dirs, files in os.walk(root):
    dirs.sort()
    for name in sorted(files):
        print(os.path.join(folder, name))
