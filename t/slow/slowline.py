"""t/slow/slowline.py: a slow-line (slowloris) attack on the WHARF/1
port. Keeps COUNT connections open from 127.0.0.1, each sending one byte
of a command line that never ends every INTERVAL seconds; a connection
that the server closes is replaced at once, until SECONDS have passed.
Loopback only, bounded in count and time.

  python3 slowline.py PORT COUNT SECONDS INTERVAL OUT

Writes a summary line to OUT (atomically) and to stdout:
  slowline: opened=N closed=N max_life=S.S
closed counts connections that the server ended; max_life is the
longest time one of those lived after its first byte.
"""
import os
import select
import socket
import sys
import time

RATE = 200              # new connections a second, at most


def main(argv):
    port, count, seconds = int(argv[1]), int(argv[2]), float(argv[3])
    interval, out = float(argv[4]), argv[5]
    start = time.monotonic()
    end = start + seconds
    conns = {}              # fd -> [socket, first byte at, next send at]
    opened = closed = failed = 0
    max_life = 0.0
    budget = 0.0
    last = start
    while True:
        now = time.monotonic()
        if now >= end:
            break
        budget = min(budget + (now - last) * RATE, RATE)
        last = now
        while len(conns) < count and budget >= 1:
            budget -= 1
            s = socket.socket()
            s.setblocking(False)
            s.bind(("127.0.0.1", 0))
            try:
                s.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            except OSError:
                failed += 1
                s.close()
                continue
            opened += 1
            conns[s.fileno()] = [s, None, now]
        wait = max(0.0, min(0.05, end - now))
        readable, _, _ = select.select(list(conns), [], [], wait)
        now = time.monotonic()
        for fd in readable:
            s, first, _ = conns[fd]
            try:
                data = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                closed += 1
                if first is not None:
                    max_life = max(max_life, now - first)
                s.close()
                del conns[fd]
        for fd, c in list(conns.items()):
            if c[2] > now:
                continue
            try:
                c[0].send(b"LIST " if c[1] is None else b"a")
            except BlockingIOError:
                pass
            except OSError:
                continue        # the reset shows up as readable
            if c[1] is None:
                c[1] = now
            c[2] = now + interval
    for c in conns.values():
        c[0].close()
    line = "slowline: opened=%d closed=%d failed=%d max_life=%.1f\n" % (
        opened, closed, failed, max_life)
    with open(out + ".tmp", "w") as f:
        f.write(line)
    os.rename(out + ".tmp", out)
    sys.stdout.write(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
