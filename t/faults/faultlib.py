"""t/faults/faultlib.py: what the fault-injection tests share.

Payloads that need no file on disk, uploads over the three paths that
write a file (WHARF/1 PUT through t/lib/wp.py, HTTP PUT and multipart
POST over a raw socket), each paced to a byte rate and able to stall at a
given byte so that a fault can be injected at a known point; plain HTTP
and WHARF/1 reads; and the master's children from /proc.

Nothing here uses client/ or a third-party module: a client bug must
not hide a server bug.
"""
import hashlib
import os
import random
import socket
import sys
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import wp  # noqa: E402  (t/lib/wp.py)

TMP_PREFIX = ".wharf-tmp."
HIDDEN_PREFIX = ".wharf-"


class Payload:
    """size bytes, deterministic from seed: a 1 MiB random block repeated,
    each repetition tagged with its index so that no two MiB are equal."""

    BLOCK = 1 << 20

    def __init__(self, seed, size):
        self.seed, self.size = seed, size
        self.block = random.Random(seed).randbytes(self.BLOCK)

    def _block(self, k):
        return k.to_bytes(8, "big") + self.block[8:]

    def piece(self, off, n):
        out = []
        while n > 0:
            k, o = divmod(off, self.BLOCK)
            take = min(n, self.BLOCK - o)
            out.append(self._block(k)[o:o + take])
            off += take
            n -= take
        return b"".join(out)

    def bytes(self):
        return self.piece(0, self.size)

    def sha256(self):
        h = hashlib.sha256()
        for off in range(0, self.size, self.BLOCK):
            h.update(self.piece(off, min(self.BLOCK, self.size - off)))
        return h.hexdigest()


class Broken(Exception):
    """The connection died under an upload (the expected end of a kill)."""


class Pacer:
    """Sends a payload in pieces at no more than rate bytes a second; from
    stall_at on, only a trickle (4 KiB every 100 ms) until trickle_for
    seconds have passed, so that a fault can be injected there."""

    PIECE = 64 * 1024

    def __init__(self, rate=None, stall_at=None, trickle_for=20.0,
                 gap=0.0):
        self.rate, self.stall_at = rate, stall_at
        self.trickle_for, self.gap = trickle_for, gap
        self.sent = 0

    def send(self, sock, payload, crc=None):
        start = time.monotonic()
        off = 0
        while off < payload.size:
            n = min(self.PIECE, payload.size - off)
            if self.stall_at is not None and off >= self.stall_at:
                n = min(n, 4096)
                if time.monotonic() - start > self.trickle_for:
                    raise TimeoutError("stalled upload was never ended")
                time.sleep(0.1)
            elif self.stall_at is not None:
                n = min(n, self.stall_at - off)
            data = payload.piece(off, n)
            if crc is not None:
                crc[0] = zlib.crc32(data, crc[0])
            try:
                sock.sendall(data)
            except OSError as e:
                raise Broken("send: %s" % e)
            off += n
            self.sent = off
            if self.rate:
                ahead = off / self.rate - (time.monotonic() - start)
                if ahead > 0:
                    time.sleep(ahead)
            if self.gap:
                time.sleep(self.gap)


def http_response(sock):
    """Status code and body of one HTTP response (Content-Length framed)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = sock.recv(65536)
        if not d:
            raise Broken("EOF before the response")
        buf += d
    head, body = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    code = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            length = int(v)
    while len(body) < length:
        d = sock.recv(65536)
        if not d:
            break
        body += d
    return code, body[:length]


def upload(proto, wport, hport, name, payload, pacer=None, timeout=30):
    """Upload payload as name (in the root) over proto: "wharf" (WHARF/1
    PUT), "put" (HTTP PUT) or "post" (HTTP multipart POST to /).  Returns
    the reply code; raises Broken when the connection dies first."""
    pacer = pacer or Pacer()
    if proto == "wharf":
        try:
            c = wp.Conn(wport, timeout=timeout)
            code, text = c.cmd("PUT %s size=%d" % (name, payload.size))
        except (OSError, EOFError) as e:
            raise Broken("PUT: %s" % e)
        if code != 151:
            c.close()
            return code
        crc = [0]
        pacer.send(c.s, payload, crc)
        try:
            c.send("CRC32 %08x" % crc[0])
            code, text = c.reply()
        except (OSError, EOFError) as e:
            raise Broken("reply: %s" % e)
        c.close()
        return code
    s = socket.create_connection(("127.0.0.1", hport), timeout=timeout)
    try:
        if proto == "put":
            pre, post = b"", b""
            head = ("PUT /%s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                    "Content-Type: application/octet-stream\r\n" % name)
        else:
            bnd = "faults%d" % payload.seed
            pre = ("--%s\r\nContent-Disposition: form-data; name=\"file\"; "
                   "filename=\"%s\"\r\nContent-Type: application/"
                   "octet-stream\r\n\r\n" % (bnd, name)).encode()
            post = ("\r\n--%s--\r\n" % bnd).encode()
            head = ("POST / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                    "Content-Type: multipart/form-data; boundary=%s\r\n"
                    % bnd)
        head += "Content-Length: %d\r\n\r\n" % (len(pre) + payload.size +
                                                 len(post))
        try:
            s.sendall(head.encode() + pre)
        except OSError as e:
            raise Broken("send: %s" % e)
        pacer.send(s, payload)
        try:
            s.sendall(post)
            code, _ = http_response(s)
        except OSError as e:
            raise Broken("response: %s" % e)
        return code
    finally:
        s.close()


def http_get(hport, path, timeout=30):
    """(status, body) of GET path, on a connection of its own."""
    s = socket.create_connection(("127.0.0.1", hport), timeout=timeout)
    try:
        s.sendall(("GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                   % path).encode())
        return http_response(s)
    finally:
        s.close()


def wharf_get(wport, name, timeout=30):
    """(code, data) of a WHARF/1 GET in a session of its own."""
    c = wp.Conn(wport, timeout=timeout)
    try:
        code, text, data = c.get(name)
        return code, data
    finally:
        c.close()


def wharf_list(wport, path=""):
    """Names in a WHARF/1 LIST of path (decoded enough for a prefix test)."""
    c = wp.Conn(wport)
    try:
        c.send("LIST " + path if path else "LIST")
        code, _ = c.reply()
        names = []
        if code == 150:
            while True:
                line = c.line()
                if line[:3].isdigit() and line[3:4] == " ":
                    break
                names.append(line.split(" ", 3)[-1])
        return code, names
    finally:
        c.close()


def children(master):
    """Pids of the master's children."""
    try:
        with open("/proc/%d/task/%d/children" % (master, master)) as f:
            return {int(p) for p in f.read().split()}
    except OSError:
        pass
    out = set()
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open("/proc/%s/stat" % p) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == master:
                        out.add(int(p))
            except (OSError, IndexError, ValueError):
                pass
    return out


def open_temporaries(pid, store):
    """[(fd path in /proc, temporary name)] of the .wharf-tmp.* files of
    store that pid holds open."""
    out = []
    d = "/proc/%d/fd" % pid
    try:
        fds = os.listdir(d)
    except OSError:
        return out
    for fd in fds:
        try:
            target = os.readlink(os.path.join(d, fd))
        except OSError:
            continue
        head, base = os.path.split(target)
        if head == store and base.startswith(TMP_PREFIX):
            out.append((os.path.join(d, fd), base))
    return out
