"""t/faults/flood.py: hold many connections to both ports at once, each
with an unfinished command line or request header, and watch what the
daemon does with them.

  python3 flood.py MASTER WPORT HPORT COUNT HOLD

Opens COUNT connections (alternately WHARF/1 and HTTP), sends each a
request that never ends ("LIST" without its CRLF, an HTTP header without
its blank line), then for HOLD seconds notes which the daemon answers
(greeting, 408...), which it closes (EOF or reset), which it never
reaches, and how many children the master has (sampled every 100 ms).
Then closes them all and prints one line:

  opened=N refused=N answered=N closed=N waiting=N max_children=N
"""
import selectors
import socket
import sys
import time

import faultlib as fl


def main(argv):
    master, wport, hport = int(argv[1]), int(argv[2]), int(argv[3])
    count, hold = int(argv[4]), float(argv[5])
    sel = selectors.DefaultSelector()
    socks, refused = [], 0
    answered, closed = set(), set()
    for i in range(count):
        port = wport if i % 2 == 0 else hport
        s = socket.socket()
        s.settimeout(1)
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(b"LIST" if port == wport else
                      b"GET / HTTP/1.1\r\nHost: flood\r\n")
        except OSError:
            refused += 1
            s.close()
            continue
        s.setblocking(False)
        socks.append(s)
        sel.register(s, selectors.EVENT_READ, i)
    most = len(fl.children(master))
    end = time.monotonic() + hold
    next_sample = 0
    while time.monotonic() < end:
        for key, _ in sel.select(0.05):
            s = key.fileobj
            try:
                d = s.recv(4096)
            except OSError:
                d = b""
            if d:
                answered.add(key.data)
            else:
                closed.add(key.data)
                sel.unregister(s)
        if time.monotonic() >= next_sample:
            most = max(most, len(fl.children(master)))
            next_sample = time.monotonic() + 0.1
    for s in socks:
        s.close()
    print("opened=%d refused=%d answered=%d closed=%d waiting=%d "
          "max_children=%d" % (len(socks), refused, len(answered),
                               len(closed), len(socks) - len(closed), most))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
