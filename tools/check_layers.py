#!/usr/bin/env python3
"""Checks the layering rules of the source tree over its include lines (run by `meson test`):

  - pure logic (naming/, store/, model/, config/) never includes Asio or Beast, nor any folder above it;
  - a service (services/X) never includes another service's header: services talk through the bus;
  - the HTTP layer (http/) reaches services only through the bus: it includes no services/ header;
  - runtime/ (mailbox, bus) includes no service, HTTP or app header;
  - providers/ is pure logic too, except the network side (the HTTP client, the metadata client and source).

Prints each broken rule as `file:line: rule` and exits 1 if there is any."""

import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
PURE = {"naming", "store", "model", "config"}
PROVIDERS_NETWORK = {"http_client", "metadata_client", "metadata_source"}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]')


def layer_of(path):
    """The layer a source or header belongs to: the folder under src/ or include/mediabase/."""
    parts = os.path.normpath(path).split(os.sep)
    if parts[0] == "src" and len(parts) > 2:
        return parts[1]
    if parts[:2] == ["include", "mediabase"] and len(parts) > 3:
        return parts[2]
    return None


def included_layer(target):
    m = re.match(r"mediabase/([a-z_]+)/", target)
    return m.group(1) if m else None


def service_name(path):
    return os.path.splitext(os.path.basename(path))[0]


def violations(root):
    found = []
    for top in ("src", "include"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for name in files:
                if not name.endswith((".cpp", ".hpp")):
                    continue
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, root)
                layer = layer_of(rel)
                if layer is None:
                    continue
                with open(full, encoding="utf-8") as f:
                    lines = f.readlines()
                for number, line in enumerate(lines, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    target = m.group(1)
                    target_layer = included_layer(target)
                    where = "%s:%d" % (rel, number)
                    pure = layer in PURE or (layer == "providers" and service_name(rel) not in PROVIDERS_NETWORK)
                    if pure:
                        if target.startswith(("boost/asio", "boost/beast")):
                            found.append("%s: pure logic (%s/) includes %s" % (where, layer, target))
                        if target_layer in ("runtime", "services", "http", "app"):
                            found.append("%s: pure logic (%s/) includes %s" % (where, layer, target))
                    if layer == "services" and target_layer == "services":
                        own = service_name(rel)
                        other = service_name(target)
                        # The watcher's own pure helpers, apart so they are tested without an event loop.
                        helpers = {"watcher": {"change_debouncer", "inotify_events"}}
                        if other != own and other not in helpers.get(own, set()):
                            found.append("%s: service %s includes another service's header %s (use the bus)" %
                                         (where, own, target))
                    if layer == "http" and target_layer == "services":
                        found.append("%s: the HTTP layer includes a service header %s (use the bus)" % (where, target))
                    if layer == "runtime" and target_layer in ("services", "http", "app"):
                        found.append("%s: runtime/ includes %s" % (where, target))
    return found


if __name__ == "__main__":
    broken = violations(ROOT)
    for line in broken:
        print(line)
    print("layering: %d broken rule(s)" % len(broken))
    sys.exit(1 if broken else 0)
