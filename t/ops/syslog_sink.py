"""t/ops/syslog_sink.py: a stand-in syslog daemon for the tests.

  python3 syslog_sink.py SOCKET OUTFILE PARENT

Binds a datagram socket at SOCKET and appends every message it receives
to OUTFILE, one a line (a trailing newline in a message is dropped;
other bytes are written as they came, so the test sees exactly what the
daemon sent, e.g. "<30>Nov 27 00:00:00 wharfd[123]: master: ...").
Exits once PARENT (the pid that becomes the daemon) is gone, so that it
never outlives the test, and after 10 minutes in any case.
"""
import os
import socket
import sys
import time


def main(argv):
    path, out, parent = argv[1], argv[2], int(argv[3])
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(0.2)
    deadline = time.monotonic() + 600
    with open(out, "ab", buffering=0) as f:
        while time.monotonic() < deadline:
            try:
                msg = s.recv(65536)
            except socket.timeout:
                if os.getppid() != parent:
                    return 0
                continue
            f.write(msg.rstrip(b"\n") + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
