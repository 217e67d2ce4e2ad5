#!/usr/bin/env python3
"""Draws the bus: every mailbox of include/mediabase/runtime/bus.hpp with its messages, and which service
sends each message (found in the services' and the server's sources), as an SVG.

  tools/draw_bus.py            rewrite docs/bus.svg
  tools/draw_bus.py --check    exit 1 if docs/bus.svg is not what the sources draw (run by `meson test`)"""

import html
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
BUS = os.path.join(ROOT, "include", "mediabase", "runtime", "bus.hpp")
OUT = os.path.join(ROOT, "docs", "bus.svg")

# Who reads each mailbox (the field names of `struct bus`).
OWNERS = {"core": "Core", "scanner": "Scanner", "dal_writes": "DAL (writer)", "dal_reads": "DAL (readers)",
          "pruner": "Pruner", "events": "Server (events)", "watcher": "Watcher", "scraper": "Scraper",
          "cache": "Cache", "prober": "Prober", "health": "Health", "listener": "Listener"}


def sender_of(path):
    """The service a source file speaks for."""
    rel = os.path.relpath(path, os.path.join(ROOT, "src"))
    layer, name = rel.split(os.sep)[0], os.path.splitext(os.path.basename(rel))[0]
    if layer == "http":
        return "Server"
    if layer == "app":
        return "main"
    if layer == "services":
        return {"dal": "DAL", "core": "Core", "scanner": "Scanner", "scraper": "Scraper", "cache": "Cache",
                "pruner": "Pruner", "watcher": "Watcher", "prober": "Prober", "health": "Health",
                "listener": "Listener"}.get(name)
    return None


def parse_bus(text):
    variants = {}
    for m in re.finditer(r"using\s+(\w+)\s*=\s*std::variant<([^;]*)>;", text, re.S):
        variants[m.group(1)] = [t.strip() for t in m.group(2).split(",") if t.strip() and t.strip() != "stop_service"]
    mailboxes = []
    body = re.search(r"struct bus \{(.*?)\};", text, re.S).group(1)
    for m in re.finditer(r"mailbox<(\w+)>\s+(\w+);", body):
        mailboxes.append((m.group(2), variants.get(m.group(1), [])))
    return mailboxes


def find_senders(mailboxes):
    """{(mailbox, message): sorted senders}. A send site is a use of `bus_.<mailbox>` other than the actor's
    own receive loop; the messages it sends are the mailbox's message names written within twelve lines
    before it (messages are built as named locals just before the send) or on its line and the next two."""
    messages_of = dict(mailboxes)
    use = re.compile(r"\b(?:bus_|b|bus|services\(\))\s*\.\s*(%s)\b" % "|".join(messages_of))
    sent = {}
    for layer in ("services", "http", "app"):
        folder = os.path.join(ROOT, "src", layer)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            who = sender_of(path)
            if not who or not name.endswith(".cpp"):
                continue
            lines = open(path, encoding="utf-8").read().split("\n")
            for number, line in enumerate(lines):
                for m in use.finditer(line):
                    if "run_mailbox(" in line[: m.start()]:
                        continue  # the actor's own receive loop
                    box = m.group(1)
                    window = "\n".join(lines[max(0, number - 12): number + 3])
                    for message in messages_of[box]:
                        if re.search(r"\b%s\b" % message, window):
                            sent.setdefault((box, message), set()).add(who)
    return {k: sorted(v) for k, v in sent.items()}


def draw(mailboxes, sent):
    senders = sorted({s for v in sent.values() for s in v})
    row, pad, left_w, box_w, gap = 18, 10, 150, 430, 16
    left_x, box_x = 20, 340
    # Mailbox boxes on the right, one line per message.
    y = 50
    boxes = []
    for box, messages in mailboxes:
        height = 28 + row * max(1, len(messages)) + pad
        boxes.append((box, messages, y, height))
        y += height + gap
    total_h = y + 10
    sender_y = {}
    step = (total_h - 60) / max(1, len(senders))
    for i, s in enumerate(senders):
        sender_y[s] = 50 + i * step + step / 2 - 15
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">'
           % (box_x + box_w + 20, total_h),
           '<rect width="100%" height="100%" fill="#ffffff"/>',
           '<text x="20" y="28" font-size="16" font-weight="bold">Mediabase bus: who sends what to which mailbox</text>',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#6b7280"/></marker></defs>']
    for box, messages, top, height in boxes:
        for i, message in enumerate(messages):
            my = top + 28 + row * i + row / 2 + 2
            for s in sent.get((box, message), []):
                sy = sender_y[s] + 15
                out.append('<path d="M %d %.1f C %d %.1f, %d %.1f, %d %.1f" fill="none" stroke="#9ca3af" '
                           'stroke-width="1" marker-end="url(#arrow)"/>'
                           % (left_x + left_w, sy, left_x + left_w + 90, sy, box_x - 90, my, box_x, my))
    for s in senders:
        out.append('<rect x="%d" y="%.1f" width="%d" height="30" rx="6" fill="#dbeafe" stroke="#1d4ed8"/>'
                   % (left_x, sender_y[s], left_w))
        out.append('<text x="%d" y="%.1f" font-weight="bold">%s</text>' % (left_x + 10, sender_y[s] + 19,
                                                                         html.escape(s)))
    for box, messages, top, height in boxes:
        out.append('<rect x="%d" y="%d" width="%d" height="%d" rx="6" fill="#f3f4f6" stroke="#374151"/>'
                   % (box_x, top, box_w, height))
        out.append('<text x="%d" y="%d" font-weight="bold">bus.%s → %s</text>'
                   % (box_x + 10, top + 18, box, html.escape(OWNERS.get(box, box))))
        for i, message in enumerate(messages):
            my = top + 28 + row * i + row / 2 + 6
            who = sent.get((box, message), [])
            out.append('<text x="%d" y="%.1f">%s<tspan fill="#6b7280">%s</tspan></text>'
                       % (box_x + 14, my, html.escape(message),
                          html.escape("  ← " + ", ".join(who)) if who else ""))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    mailboxes = parse_bus(open(BUS, encoding="utf-8").read())
    svg = draw(mailboxes, find_senders(mailboxes))
    if "--check" in sys.argv:
        current = open(OUT, encoding="utf-8").read() if os.path.exists(OUT) else ""
        if current != svg:
            print("docs/bus.svg is out of date: run tools/draw_bus.py and commit it")
            return 1
        print("docs/bus.svg is current")
        return 0
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(svg)
    print("wrote", os.path.relpath(OUT, ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
