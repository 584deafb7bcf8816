"""t/faults/slowget.py: a slow download that keeps its server busy.

  python3 slowget.py http|wharf PORT NAME OUTFILE RATE

Reads NAME at no more than RATE bytes a second through a socket whose
receive buffer is fixed at 64 KiB (no autotuning), so the serving child
cannot push the file into kernel buffers and be done long before the
client is: it stays busy sending for the whole download.  Checks the
framing (HTTP 200 and Content-Length; WHARF/1 150 size=, then 226 with
the size and the CRC-32 of the bytes received).  Exit status 0 when the
whole file arrived and checked, 1 otherwise.
"""
import socket
import sys
import time
import zlib

import faultlib as fl  # noqa: F401  (puts t/lib on the path)
import wp

RCVBUF = 64 * 1024


def paced(sock, first, n, rate, out):
    """Write first + n - len(first) more bytes from sock to out at rate."""
    start = time.monotonic()
    got = len(first)
    out.write(first)
    crc = zlib.crc32(first)
    while got < n:
        d = sock.recv(min(16384, n - got))
        if not d:
            raise EOFError("connection closed after %d of %d bytes"
                           % (got, n))
        out.write(d)
        crc = zlib.crc32(d, crc)
        got += len(d)
        ahead = got / rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
    return crc


def main(argv):
    proto, port, name, outfile = argv[1], int(argv[2]), argv[3], argv[4]
    rate = float(argv[5])
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
    s.settimeout(30)
    s.connect(("127.0.0.1", port))
    with open(outfile, "wb") as out:
        if proto == "http":
            s.sendall(("GET /%s HTTP/1.1\r\nHost: t\r\nConnection: close"
                       "\r\n\r\n" % name).encode())
            buf = b""
            while b"\r\n\r\n" not in buf:
                d = s.recv(4096)
                if not d:
                    raise EOFError("no response head")
                buf += d
            head, body = buf.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            if lines[0].split()[1] != "200":
                print(lines[0])
                return 1
            size = [int(line.split(":", 1)[1]) for line in lines
                    if line.lower().startswith("content-length:")][0]
            paced(s, body, size, rate, out)
            return 0
        c = wp.Conn.__new__(wp.Conn)
        c.s, c.buf = s, b""
        c.greeting = c.reply()
        code, text = c.cmd("GET " + name)
        if code != 150:
            print(code, text)
            return 1
        size = int(dict(kv.split("=", 1) for kv in text.split())["size"])
        first, c.buf = c.buf[:size], c.buf[size:]
        crc = paced(s, first, size, rate, out)
        code, text = c.reply()
        f = dict(kv.split("=", 1) for kv in text.split())
        if code != 226 or int(f["size"]) != size or \
                int(f["crc32"], 16) != crc:
            print("end of GET:", code, text, "crc32=%08x" % crc)
            return 1
        c.close()
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
