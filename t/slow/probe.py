"""t/slow/probe.py: an ordinary client that checks wharfd still serves
while others attack it. It binds every socket to its own loopback source
address (127.0.0.2 by default, so a per-address cap on the attackers does
not apply to it) and, for the given seconds, cycles through four
requests, each with its own deadline:

  HTTP GET of a file (curl --interface), HTTP GET of the root listing,
  a WHARF/1 LIST of the root, a WHARF/1 GET of the file.

A request succeeds when it completes within the deadline with the right
status and, for the file, the right bytes. The probe judges by itself:
slowhttptest exits 0 even when the target is down.

  python3 probe.py HPORT WPORT NAME SECONDS OUT [SRC] [DEADLINE]

Writes a one-line summary to OUT (atomically) and to stdout:
  probe: ok=N total=N pct=P.P max=S.SS fail=kind:count,...
Exits 0 when at least 95% succeeded, 1 otherwise.
"""
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import wp  # noqa: E402


class BoundConn(wp.Conn):
    """wp.Conn with its socket bound to a source address."""

    def __init__(self, port, src, timeout):
        self.s = socket.create_connection(("127.0.0.1", port),
                                          timeout=timeout,
                                          source_address=(src, 0))
        self.buf = b""
        self.greeting = self.reply()


def http_get(hport, path, src, deadline):
    out = subprocess.run(
        ["curl", "-sS", "--interface", src, "--max-time", str(deadline),
         "--connect-timeout", str(deadline), "-o", "-",
         "-w", "\n%{http_code}", "http://127.0.0.1:%d/%s" % (hport, path)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    body, _, code = out.stdout.rpartition(b"\n")
    return out.returncode == 0 and code == b"200", body


def wharf(wport, name, src, deadline, verb):
    c = BoundConn(wport, src, deadline)
    try:
        if c.greeting[0] != 220:
            return False, None
        if verb == "list":
            code, _ = c.cmd("LIST /")
            if code != 150:
                return False, None
            entries = []
            while True:
                line = c.line()
                if line[:1].isdigit():
                    return line.startswith("200 "), entries
                entries.append(line)
        code, _, data = c.get(name)
        return code == 226, data
    finally:
        c.close()


def main(argv):
    hport, wport, name = int(argv[1]), int(argv[2]), argv[3]
    seconds, out = float(argv[4]), argv[5]
    src = argv[6] if len(argv) > 6 else "127.0.0.2"
    deadline = float(argv[7]) if len(argv) > 7 else 5.0
    with open(name, "rb") as f:
        want = f.read()
    base = os.path.basename(name)
    kinds = ("http-file", "http-list", "wharf-list", "wharf-get")
    ok = total = 0
    worst = 0.0
    fails = {}
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        kind = kinds[i % len(kinds)]
        i += 1
        t0 = time.monotonic()
        try:
            if kind == "http-file":
                good, body = http_get(hport, base, src, deadline)
                good = good and body == want
            elif kind == "http-list":
                good, body = http_get(hport, "", src, deadline)
                good = good and base.encode() in body
            elif kind == "wharf-list":
                good, entries = wharf(wport, base, src, deadline, "list")
                good = good and any(e.endswith(" " + base) for e in entries)
            else:
                good, data = wharf(wport, base, src, deadline, "get")
                good = good and data == want
        except (OSError, EOFError, ValueError):
            good = False
        took = time.monotonic() - t0
        good = good and took <= deadline
        worst = max(worst, took)
        total += 1
        if good:
            ok += 1
        else:
            fails[kind] = fails.get(kind, 0) + 1
        time.sleep(0.1)
    pct = 100.0 * ok / total if total else 0.0
    line = "probe: ok=%d total=%d pct=%.1f max=%.2f fail=%s\n" % (
        ok, total, pct, worst,
        ",".join("%s:%d" % kv for kv in sorted(fails.items())) or "none")
    with open(out + ".tmp", "w") as f:
        f.write(line)
    os.rename(out + ".tmp", out)
    sys.stdout.write(line)
    return 0 if total and pct >= 95.0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
