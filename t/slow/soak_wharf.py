"""t/slow/soak_wharf.py: one WHARF/1 worker of the soak (t/slow/soak.sh).

  python3 soak_wharf.py PORT SECONDS ID FIXTURE...

Until SECONDS have passed, opens a session, and in it lists the root,
downloads each FIXTURE (a local path; its base name is in the store root)
and compares the bytes, uploads a file of its own (plain, chunked or
zlib-compressed in turn), reads it back with STAT and GET, renames and
deletes it, then quits; a new session every round. Prints
"wharf ID: requests=N failures=N" and the first few failures.
"""
import os
import sys
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import wp  # noqa: E402


def main(argv):
    port, seconds, ident = int(argv[1]), float(argv[2]), argv[3]
    fixtures = [(os.path.basename(p), open(p, "rb").read()) for p in argv[4:]]
    end = time.monotonic() + seconds
    requests = failures = 0
    shown = []
    rnd = 0

    def check(what, ok):
        nonlocal requests, failures
        requests += 1
        if not ok:
            failures += 1
            if len(shown) < 5:
                shown.append("round %d: %s" % (rnd, what))
        return ok

    while time.monotonic() < end:
        rnd += 1
        try:
            c = wp.Conn(port, timeout=20)
            check("greeting %r" % (c.greeting,), c.greeting[0] == 220)
            code, _ = c.cmd("LIST /")
            entries = []
            if code == 150:
                while True:
                    line = c.line()
                    if line[:1].isdigit():
                        code = int(line[:3])
                        break
                    entries.append(line)
            check("LIST -> %d" % code, code == 200 and any(
                e.endswith(" " + fixtures[0][0]) for e in entries))
            for name, want in fixtures:
                code, text, data = c.get(name)
                check("GET %s -> %d %s" % (name, code, text),
                      code == 226 and data == want)
            mine = "soak/w%s-%d" % (ident, rnd)
            data = os.urandom(1024 + (rnd * 7919) % 200000)
            mode = rnd % 3
            code, text = c.put(mine, data, chunked=(mode == 1),
                               compress=(mode == 2))
            check("PUT %s -> %s %s" % (mine, code, text), code == 226)
            code, text = c.cmd("STAT " + mine)
            check("STAT %s -> %d %s" % (mine, code, text),
                  code == 200 and (" %d " % len(data)) in text)
            code, text, back = c.get(mine, "compress=zlib") if mode else \
                c.get(mine)
            check("GET %s -> %d %s" % (mine, code, text),
                  code == 226 and back == data)
            code, text = c.cmd("RENAME %s %s.old" % (mine, mine))
            check("RENAME -> %d %s" % (code, text), code == 200)
            code, text = c.cmd("DELETE %s.old" % mine)
            check("DELETE -> %d %s" % (code, text), code == 200)
            code, text = c.cmd("QUIT")
            check("QUIT -> %d %s" % (code, text), code == 221)
            c.s.close()
        except (OSError, EOFError, ValueError, KeyError, zlib.error) as e:
            check("session: %r" % (e,), False)
    print("wharf %s: requests=%d failures=%d" % (ident, requests, failures))
    for s in shown:
        print("  wharf %s failed: %s" % (ident, s))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
