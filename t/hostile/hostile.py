#!/usr/bin/env python3
"""t/hostile/hostile.py: the hostile-request corpus of t/90-hostile.bats.

Speaks both protocols with raw sockets (never the client under test) and
checks, for every reply, what must always hold:

  * no byte of a file outside the store (the secrets of the fixture, the
    first line of /etc/passwd, the names of the outside directories) ever
    appears in a reply;
  * every HTTP response head is well formed: a status line, then header
    lines of a token, ": " and a value without CR, LF or other controls;
    no Set-Cookie or other header a file name could inject, and no second
    Location, Content-Length... (a split head);
  * no HTTP status is 5xx except the ones a case allows (501 for a method
    or transfer coding wharfd does not implement, 505 for HTTP/2+);
  * WHARF/1 replies to hostile input are permanent refusals (5xx, which is
    WHARF/1's class for "will not work"), never 45x (a server-side fault),
    and never data from outside.

  python3 hostile.py fixture WORK        build WORK/store and the targets
  python3 hostile.py snapshot WORK       print what lies outside the store
  python3 hostile.py GROUP               run one group (see GROUPS below)

Groups read WPORT, HPORT, WORK and STORE from the environment, print one
line per failure and exit 1 when there was any. Every socket has a
timeout, so a hang is a failure, never a stuck test.
"""
import hashlib
import io
import json
import os
import re
import socket
import stat
import sys
import tarfile
import time
import zlib

TIMEOUT = 10

# ---------------------------------------------------------------- fixture

# File names hostile to terminals, HTML and HTTP headers. No '/', no NUL.
HOSTILE_NAMES = [
    b"esc\x1b]0;pwned\x07\x1b[2J\x1b[31mred",
    b"cr\rlf\nname",
    b"hdr\r\nSet-Cookie: injected=1",
    b"quote\"dq'sq",
    b"<script>alert(1)",
    b"<img src=x onerror=alert(1)>",
    b"\" onmouseover=\"alert(1)",
    b"javascript:alert(1)",
    b"semi;colon=1",
    b"what?x=1#frag",
    b"%3F%23",
    b"back\\slash",
    b"del\x7fbyte",
    b"bell\x07tab\tvt\x0bff\x0c",
    b"csi8\x9b2J",
    b"caf\xc3\xa9",
    b"latin1-\xe9",
    b"%2e%2e%2fnot-traversal",
    b"pct%00nul",
    b" leading and trailing ",
    b"...",
    b"..a",
]
HOSTILE_DIR = b"dir\r\nX-Injected: 1\"<b>"


def fixture(work):
    """WORK/store with links out of it, and the places they lead to."""
    w = work.encode()
    store = w + b"/store"
    tag = "%d-%d" % (os.getpid(), int(time.time() * 1000) % 100000)
    for d in (b"/outside", b"/store-evil", b"/store/sub", b"/store/names",
              b"/tmp"):
        os.makedirs(w + d, exist_ok=True)
    put(w + b"/outside/secret", b"SECRET-OUTSIDE-" + tag.encode() + b"\n")
    put(w + b"/outside/LEAKNAME-outside-dir", b"x")
    put(w + b"/store-evil/secret", b"SECRET-EVIL-" + tag.encode() + b"\n")
    put(w + b"/store-evil/LEAKNAME-evil-dir", b"y")
    put(store + b"/hello.txt", b"hello, wharf\n")
    put(store + b"/sub/inner.txt", b"inner\n")
    rnd = hashlib.sha256(tag.encode()).digest() * 313
    put(store + b"/range.bin", rnd[:10000])
    links = {
        b"passwd": b"/etc/passwd",
        b"etc": b"/etc",
        b"up": b"../outside",
        b"evil": b"../store-evil",
        b"abs": w + b"/outside",
        b"secretlink": b"../outside/secret",
        b"victim": b"../outside/secret",
        b"victim2": b"../outside/secret",
        b"victim3": b"../outside/secret",
        b"victim4": b"../outside/secret",
        b"newout": b"../outside/HOSTILE-created-by-link",
        b"subup": b"sub/../../outside",
        b"selfroot": b"/proc/self/root",
        b"inner": b"hello.txt",
        b"loop": b"loop",
        b"dangling": b"nowhere",
        b"sub/deep": b"../../outside/secret",
        b"sub/back": b"../hello.txt",
    }
    for name, target in links.items():
        os.symlink(target, store + b"/" + name)
    for n in HOSTILE_NAMES:
        put(store + b"/names/" + n, b"hostile name\n")
    os.mkdir(store + b"/names/" + HOSTILE_DIR)
    put(store + b"/names/" + HOSTILE_DIR + b"/f", b"f\n")


def put(path, data):
    with open(path, "wb") as f:
        f.write(data)


def snapshot(work):
    """What lies outside the store, and the places an escape would write."""
    w = work.encode()
    out = []
    skip = {w + b"/store", w + b"/tmp"}
    for root, dirs, files in os.walk(w):
        dirs[:] = [d for d in dirs if root + b"/" + d not in skip]
        for n in sorted(dirs + files):
            p = root + b"/" + n
            if root == w and (n.endswith(b".log") or n.startswith(b"ports")):
                continue
            st = os.lstat(p)
            line = b"%s %o %d" % (p[len(w):], st.st_mode, st.st_size)
            if stat.S_ISREG(st.st_mode):
                line += b" " + hashlib.sha256(open(p, "rb").read()) \
                    .hexdigest().encode() + b" %d" % st.st_mtime_ns
            elif stat.S_ISLNK(st.st_mode):
                line += b" -> " + os.readlink(p)
            else:
                line += b" %d" % st.st_mtime_ns
            out.append(line)
    out.append(b"/etc/passwd " +
               hashlib.sha256(open("/etc/passwd", "rb").read()).hexdigest()
               .encode())
    # an escaping write would use one of the names of the corpus
    for d in (b"/", b"/tmp", b"/etc", os.path.dirname(w), w, w + b"/outside",
              w + b"/store-evil", os.getcwd().encode()):
        try:
            for n in os.listdir(d):
                if n.startswith(b"HOSTILE"):
                    out.append(b"FOUND " + d + b"/" + n)
        except OSError:
            pass
    sys.stdout.buffer.write(b"\n".join(out) + b"\n")


# ---------------------------------------------------------------- checks

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def env(name):
    return os.environ[name]


def markers():
    work = env("WORK")
    m = []
    for p in ("/outside/secret", "/store-evil/secret"):
        m.append(open(work + p, "rb").read().strip())
    m += [b"LEAKNAME-outside-dir", b"LEAKNAME-evil-dir"]
    first = open("/etc/passwd", "rb").readline().strip()
    if first:
        m.append(first)
    return m


MARKERS = None


def check_leak(label, data):
    global MARKERS
    if MARKERS is None:
        MARKERS = markers()
    for m in MARKERS:
        if m in data:
            fail("%s: reply holds %r from outside the store" % (label, m))


def show(b, n=120):
    r = repr(b)
    return r if len(r) <= n else r[:n] + "..."


# ---------------------------------------------------------------- HTTP

# Header names that only an injection through a file name would produce,
# and those that must never come twice (a second one is a split head).
INJECTED = re.compile(rb"^(set-cookie|x-injected|refresh)$", re.I)
SINGLE = {"content-length", "transfer-encoding", "location",
          "content-disposition", "content-type", "content-range", "etag",
          "last-modified", "connection"}
TOKEN = re.compile(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
VALUE = re.compile(rb"^[\t\x20-\x7e\x80-\xff]*$")


class Resp:
    def __init__(self, status, headers, body, head):
        self.status = status
        self.headers = headers
        self.body = body
        self.head = head

    def h(self, name):
        v = self.headers.get(name.lower())
        return v[0] if v else None

    def __repr__(self):
        return "<%d %s>" % (self.status, show(self.head, 200))


def http_raw(raw, timeout=TIMEOUT, shut=True, port=None):
    """Send raw bytes, half-close, read to EOF. Returns (bytes, closed):
    closed is False when the server kept the connection past timeout."""
    s = socket.create_connection(("127.0.0.1", port or int(env("HPORT"))),
                                 timeout=timeout)
    try:
        try:
            s.sendall(raw)
            if shut:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass    # the server may answer and close before all is sent
        data = b""
        closed = True
        while True:
            try:
                d = s.recv(1 << 20)
            except ConnectionResetError:
                break
            except socket.timeout:
                closed = False
                break
            if not d:
                break
            data += d
        return data, closed
    finally:
        s.close()


def parse_responses(label, data, methods=()):
    """Split a byte stream into responses, checking every head."""
    out = []
    pos = 0
    i = 0
    while pos < len(data):
        end = data.find(b"\r\n\r\n", pos)
        if end < 0:
            fail("%s: incomplete response head %s" % (label,
                                                       show(data[pos:])))
            break
        head = data[pos:end]
        pos = end + 4
        lines = head.split(b"\r\n")
        m = re.match(rb"^HTTP/1\.1 (\d{3}) [\x20-\x7e]*$", lines[0])
        if not m:
            fail("%s: bad status line %s" % (label, show(lines[0])))
            break
        status = int(m.group(1))
        headers = {}
        for ln in lines[1:]:
            name, sep, value = ln.partition(b":")
            if not sep or not TOKEN.match(name) or \
                    not VALUE.match(value) or not value.startswith(b" "):
                fail("%s: malformed header line %s (raw CR/LF or control "
                     "from a name?)" % (label, show(ln)))
                continue
            n = name.decode().lower()
            if INJECTED.match(name) or (n == "location" and
                                        not value.startswith(b" /")):
                fail("%s: injected header %s" % (label, show(ln)))
            if n in SINGLE and n in headers:
                fail("%s: a second %s header %s" % (label, name, show(ln)))
            headers.setdefault(n, []).append(value[1:])
        if status == 100:
            continue
        method = methods[i] if i < len(methods) else "GET"
        i += 1
        te = headers.get("transfer-encoding", [None])[0]
        cl = headers.get("content-length", [None])[0]
        if method == "HEAD" and status == 400 and cl is not None and \
                not data.startswith(b"HTTP/", pos):
            # A head that does not parse is answered as if it were a GET
            # (the method is not known yet); the connection closes.
            body = data[pos:pos + int(cl)]
            pos += int(cl)
        elif method == "HEAD" or status in (204, 304):
            body = b""
        elif te is not None:
            if te.lower() != b"chunked":
                fail("%s: transfer coding %r" % (label, te))
            body = b""
            while True:
                nl = data.find(b"\r\n", pos)
                if nl < 0:
                    fail("%s: chunked body cut short" % label)
                    pos = len(data)
                    break
                size = int(data[pos:nl].split(b";")[0], 16)
                pos = nl + 2
                if size == 0:
                    nl = data.find(b"\r\n", pos)
                    pos = nl + 2 if nl >= 0 else len(data)
                    break
                body += data[pos:pos + size]
                pos += size + 2
        elif cl is not None:
            n = int(cl)
            body = data[pos:pos + n]
            if len(body) != n:
                fail("%s: body of %d bytes, Content-Length %d" %
                     (label, len(body), n))
            pos += n
        else:
            body = data[pos:]
            pos = len(data)
        out.append(Resp(status, headers, body, head))
    return out


def http(label, raw, methods=("GET",), allow5=(), expect=None, count=None,
         closed=None, timeout=TIMEOUT):
    """One exchange: checks leaks, heads and statuses; returns responses.
    expect: the set of statuses allowed for the first response; count:
    how many responses must come; closed: whether the server must have
    closed the connection by itself (shut=False then)."""
    if isinstance(raw, str):
        raw = raw.encode("latin-1")
    data, was_closed = http_raw(raw, timeout=timeout,
                                shut=closed is None)
    check_leak(label, data)
    rs = parse_responses(label, data, methods)
    for r in rs:
        if r.status >= 500 and r.status not in allow5:
            fail("%s: %d (a 5xx) %s" % (label, r.status, show(r.body)))
    if count is not None and len(rs) != count:
        fail("%s: %d responses, expected %d: %s" % (label, len(rs), count,
                                                   rs))
    if expect is not None:
        if not rs:
            fail("%s: no response, expected %s" % (label, sorted(expect)))
        elif rs[0].status not in expect:
            fail("%s: %d, expected one of %s; body %s" %
                 (label, rs[0].status, sorted(expect), show(rs[0].body)))
    if closed is not None and was_closed != closed:
        fail("%s: connection %s" % (label, "left open" if closed else
                                    "closed"))
    return rs


def req(method, target, extra="", body=b"", version="HTTP/1.1",
        host=True):
    head = "%s %s %s\r\n" % (method, target, version)
    if host:
        head += "Host: 127.0.0.1\r\n"
    head += extra
    if body and "Content-Length" not in extra and \
            "Transfer-Encoding" not in extra:
        head += "Content-Length: %d\r\n" % len(body)
    return head.encode("latin-1") + b"\r\n" + body


def multipart(boundary, parts):
    """parts: (disposition-params bytes, data bytes)."""
    b = boundary.encode()
    out = b""
    for params, data in parts:
        out += b"--" + b + b"\r\nContent-Disposition: form-data; " + \
            params + b"\r\nContent-Type: application/octet-stream\r\n\r\n" + \
            data + b"\r\n"
    return out + b"--" + b + b"--\r\n"


# ---------------------------------------------------------------- WHARF/1

class Wharf:
    """A raw WHARF/1 session that records every byte it receives."""

    def __init__(self, label):
        self.label = label
        self.s = socket.create_connection(("127.0.0.1", int(env("WPORT"))),
                                          timeout=TIMEOUT)
        self.buf = b""
        self.seen = b""
        self.eof = False
        code, text = self.reply()
        if code != 220:
            fail("%s: greeting %r" % (label, text))

    def fill(self):
        try:
            d = self.s.recv(1 << 20)
        except ConnectionResetError:
            d = b""
        except socket.timeout:
            fail("%s: timed out waiting for the server" % self.label)
            raise
        if not d:
            self.eof = True
        self.seen += d
        self.buf += d
        return d

    def line(self):
        while b"\n" not in self.buf:
            if not self.fill():
                return None
        ln, self.buf = self.buf.split(b"\n", 1)
        return ln.rstrip(b"\r")

    def exact(self, n):
        while len(self.buf) < n:
            if not self.fill():
                break
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def reply(self):
        ln = self.line()
        if ln is None:
            return None, None
        m = re.match(rb"^([1-5]\d\d)(?: ([\x20-\x7e\x80-\xff]*))?$", ln)
        if not m:
            fail("%s: malformed reply line %s" % (self.label, show(ln)))
            return 0, ln
        return int(m.group(1)), (m.group(2) or b"")

    def send(self, raw):
        if isinstance(raw, str):
            raw = raw.encode("latin-1")
        self.s.sendall(raw)

    def cmd(self, line, payload=None):
        """Send one command line (CRLF added), follow a 150 or 151 to the
        final reply. Returns (code, text) of the last reply."""
        if isinstance(line, str):
            line = line.encode("latin-1")
        self.send(line + b"\r\n")
        code, text = self.reply()
        verb = line.split(b" ")[0].upper()
        if code == 150 and verb == b"GET":
            f = dict(kv.split(b"=", 1) for kv in text.split()
                     if b"=" in kv)
            if f.get(b"compress") == b"zlib":
                while True:
                    size = int(self.line())
                    if size == 0:
                        break
                    self.exact(size)
            else:
                self.exact(int(f[b"size"]) - int(f[b"offset"]))
            code, text = self.reply()
        elif code == 150:
            while True:
                ln = self.line()
                if ln is None:
                    return None, None
                if ln[:1].isdigit():
                    self.buf = ln + b"\r\n" + self.buf
                    break
            code, text = self.reply()
        elif code == 151:
            data = payload if payload is not None else b""
            if b"chunked" in text:
                self.send(b"%d\r\n" % len(data) + data + b"0\r\n"
                          if data else b"0\r\n")
            else:
                self.send(data)
            self.send(b"CRC32 %08x\r\n" % zlib.crc32(data))
            code, text = self.reply()
        return code, text

    def close(self):
        try:
            self.send(b"QUIT\r\n")
            self.reply()
        except OSError:
            pass
        self.s.close()
        check_leak(self.label, self.seen)


def wexpect(w, line, codes, payload=None, label=None):
    code, text = w.cmd(line, payload)
    lab = "%s: %s" % (label or w.label, show(line if isinstance(line, bytes)
                                             else line.encode("latin-1")))
    if code is None:
        fail("%s: connection closed" % lab)
    elif code not in codes:
        fail("%s: %d %s, expected one of %s" % (lab, code, show(text),
                                                sorted(codes)))
    if code is not None and 450 <= code <= 459:
        fail("%s: %d is a server-side fault" % (lab, code))
    return code, text


# ---------------------------------------------------------------- corpus

# Targets that lead out of the store, in every encoding. Over HTTP each
# must get 400, 403 or 404 (414 for the long ones), never a 200.
HTTP_ESCAPES = [
    "/../outside/secret", "/../../../../../../../../etc/passwd",
    "/..", "/../", "/%2e%2e", "/%2e%2e/", "/..%2f", "/%2E%2E/outside/secret",
    "/%2e%2e/outside/secret", "/%2e%2e%2foutside%2fsecret",
    "/..%2foutside%2fsecret", "/.%2e/outside/secret", "/%2e./outside/secret",
    "/%252e%252e/outside/secret", "/%252e%252e%252foutside%252fsecret",
    "/%25252e%25252e/outside/secret", "/..%5coutside%5csecret",
    "/..\\outside\\secret", "/%5c..%5coutside%5csecret",
    "/%c0%ae%c0%ae/outside/secret", "/%c0%ae%c0%ae%c0%afoutside%c0%afsecret",
    "/%e0%80%ae%e0%80%ae/outside/secret", "/%uff0e%uff0e/outside/secret",
    "/%u002e%u002e/outside/secret", "/..%00/outside/secret",
    "/%00/../outside/secret", "/..%01/outside", "/sub/../../outside/secret",
    "/sub/%2e%2e/%2e%2e/outside/secret", "/./../outside/secret",
    "/.//..//outside/secret", "/..;/outside/secret", "/;/../outside/secret",
    "/..;jsessionid=x/outside/secret", "/..?/outside/secret",
    "/..#/outside/secret", "/hello.txt/../../outside/secret",
    "//etc/passwd", "///etc/passwd", "/%2fetc%2fpasswd", "/etc/passwd",
    "/etc/", "/etc", "/proc/self/root/etc/passwd", "/selfroot/etc/passwd",
    "/up/secret", "/up/", "/up", "/abs/secret",
    "/abs/", "/evil/secret", "/evil/", "/evil", "/secretlink",
    "/subup/secret", "/subup/", "/sub/deep", "/passwd", "/loop", "/loop/",
    "/dangling", "/.wharf-tmp.0123456789abcdef", "/sub/.wharf-part.x",
    "/%2ewharf-tmp.0", "/up%2fsecret", "/sub%2f..%2f..%2foutside%2fsecret",
    "http://evil/../outside/secret", "http://evil/etc/passwd",
    "http://evil/up/secret", "HTTP://evil/..%2foutside%2fsecret",
    "https://127.0.0.1:1/passwd", "http://evil:80/%2e%2e/outside/secret",
    "http://127.0.0.1/evil/secret", "http://evil/..", "*",
    "evil/../outside/secret", "../outside/secret", "%2e%2e/outside/secret",
    "\\..\\outside\\secret", "/" + "../" * 200 + "etc/passwd",
    "/" + "%2e%2e%2f" * 200 + "etc/passwd",
]

# Targets that stay inside and name hello.txt: 200 with its bytes.
HTTP_INSIDE_HELLO = [
    "/hello.txt", "/./hello.txt", "//hello.txt", "/.//./hello.txt",
    "/%68ello.txt", "/hello%2etxt", "/hello.txt?../../outside/secret",
    "/hello.txt#../../outside/secret", "/inner", "/sub/back",
    "http://evil/hello.txt", "http://evil:1234/./hello.txt",
]

# The symbolic links of the fixture (a write at one acts on the link).
LINKS = {"passwd", "etc", "up", "evil", "abs", "secretlink", "victim",
         "victim2", "victim3", "victim4", "newout", "subup", "selfroot",
         "inner", "loop", "dangling", "sub/deep", "sub/back"}

WHARF_ESCAPES = [
    "..", "../outside/secret", "../../../../../../etc/passwd",
    "%2E%2E/outside/secret", "%2e%2e%2foutside%2fsecret", ".%2E/outside",
    "%2E./outside", "sub/../../outside/secret", "/../outside/secret",
    "//../outside/secret", "sub/%2E%2E/%2E%2E/outside/secret",
    "hello.txt/../../outside/secret", "%252e%252e/outside/secret",
    "..%5Coutside%5Csecret", "..\\outside\\secret",
    "%C0%AE%C0%AE/outside/secret", "/etc/passwd", "//etc/passwd",
    "%2Fetc%2Fpasswd", "etc/passwd", "etc", "selfroot/etc/passwd", "up",
    "up/", "up/secret", "abs", "abs/secret",
    "evil", "evil/secret", "secretlink", "subup", "subup/secret",
    "sub/deep", "passwd", "loop", "dangling", ".wharf-tmp.0123456789abcdef",
    "sub/.wharf-part.x", "%2Ewharf-tmp.x", "%00", "..%00", "%zz", "a%2",
    "%", "up%2Fsecret", "sub%2F..%2F..%2Foutside",
]


# ---------------------------------------------------------------- groups

def g_http_read():
    """GET and HEAD of every escape: 4xx, no secret; inside ones: 200."""
    hello = b"hello, wharf\n"
    for t in HTTP_ESCAPES:
        for m in ("GET", "HEAD"):
            for q in ("", "?download", "?tar.gz", "?json"):
                tgt = t + q if "?" not in t and "#" not in t else t
                http("%s %s" % (m, tgt), req(m, tgt), methods=(m,),
                     expect={400, 403, 404, 414})
    for t in HTTP_INSIDE_HELLO:
        rs = http("GET %s" % t, req("GET", t), expect={200})
        if rs and rs[0].status == 200 and rs[0].body != hello:
            fail("GET %s: body %s" % (t, show(rs[0].body)))
    # the same escapes pipelined on one keep-alive connection
    raw = b"".join(req("GET", t) for t in HTTP_ESCAPES if
                   t not in ("*",) and not t.startswith(("evil", "..", "%",
                                                         "\\")))
    rs = http("pipelined escapes", raw)
    for r in rs:
        if r.status not in (403, 404, 400, 414):
            fail("pipelined escapes: a %d" % r.status)


# Writes that pass through an escape to a new name (HOSTILE-*): over
# HTTP each gets a 4xx; the snapshot then shows nothing new outside.
HTTP_WRITE_ESCAPES = [
    "/../HOSTILE-w", "/%2e%2e/HOSTILE-w", "/%2e%2e%2fHOSTILE-w",
    "/..%2fHOSTILE-w", "/.%2e/HOSTILE-w", "/%2E./HOSTILE-w",
    "/sub/../../HOSTILE-w", "/sub/%2e%2e/%2e%2e/HOSTILE-w",
    "/./../HOSTILE-w", "/up/HOSTILE-w", "/up%2fHOSTILE-w", "/abs/HOSTILE-w",
    "/evil/HOSTILE-w", "/subup/HOSTILE-w", "/etc/HOSTILE-w",
    "/selfroot/tmp/HOSTILE-w", "/sub/deep/HOSTILE-w", "/loop/HOSTILE-w",
    "/dangling/HOSTILE-w", "/newout/HOSTILE-w", "/passwd/HOSTILE-w",
    "/.wharf-tmp.HOSTILE", "/sub/.wharf-part.HOSTILE", "/%2ewharf-x",
    "http://evil/../HOSTILE-w", "http://evil/up/HOSTILE-w",
    "HTTP://evil/%2e%2e/HOSTILE-w", "/" + "../" * 20 + "tmp/HOSTILE-w",
    "/" + "%2e%2e/" * 20 + "tmp/HOSTILE-w", "/..", "/%2e%2e", "/../",
    "/..%00/HOSTILE-w", "/%00HOSTILE-w", "/%zzHOSTILE-w",
    "../HOSTILE-w", "*",
]
HTTP_DELETE_ESCAPES = [
    "/../outside/secret", "/%2e%2e/outside/secret",
    "/%2e%2e%2foutside%2fsecret", "/sub/../../outside/secret",
    "/up/secret", "/up%2fsecret", "/abs/secret", "/evil/secret",
    "/subup/secret", "/etc/hostname", "/selfroot/etc/hostname",
    "/sub/deep/x", "http://evil/../outside/secret", "/..", "/%2e%2e",
    "/", "//", "/.", "/./", "/.wharf-tmp.x",
]


def g_http_write():
    """PUT, MKCOL, DELETE, POST through every escape: nothing written."""
    allowed = {400, 403, 404, 405, 409, 411, 414}
    for t in HTTP_WRITE_ESCAPES:
        http("PUT %s" % t, req("PUT", t, body=b"HOSTILE\n"),
             methods=("PUT",), expect=allowed)
        http("PUT chunked %s" % t, req("PUT", t, "Transfer-Encoding: "
                                       "chunked\r\n", b"1\r\nH\r\n0\r\n\r\n"),
             methods=("PUT",), expect=allowed)
        http("MKCOL %s" % t, req("MKCOL", t.replace("-w", "-d")),
             methods=("MKCOL",), expect=allowed)
        d = t.rsplit("/", 1)[0] + "/" if "/" in t else t
        if d in ("/", "/sub/"):
            continue    # a directory inside: the POST is fine there
        http("POST %s" % d, req("POST", d + "?mkdir=HOSTILE-post"),
             methods=("POST",), expect=allowed | {415})
    for t in HTTP_DELETE_ESCAPES:
        http("DELETE %s" % t, req("DELETE", t), methods=("DELETE",),
             expect=allowed)
    for name in ("../HOSTILE-q", "..%2FHOSTILE-q", "%2e%2e%2fHOSTILE-q",
                 "up%2FHOSTILE-q", "evil/HOSTILE-q", "abs/HOSTILE-q",
                 "..", ".", "", ".wharf-tmp.HOSTILE", "sub%2F..%2F..%2FHOSTILE"):
        http("POST ?mkdir=%s" % name, req("POST", "/?mkdir=" + name),
             expect={400, 403, 404, 409})
    bnd = "hostileboundary"
    ct = "Content-Type: multipart/form-data; boundary=%s\r\n" % bnd
    for field, value in ((b"mkdir", b"../HOSTILE-f"),
                         (b"mkdir", b"up/HOSTILE-f"),
                         (b"mkdir", b"%2e%2e/HOSTILE-f"),
                         (b"delete", b"../outside/secret"),
                         (b"delete", b"up/secret"),
                         (b"delete", b"evil/secret"),
                         (b"delete", b"abs/secret"),
                         (b"delete", b"subup/secret"),
                         (b"delete", b"..")):
        body = multipart(bnd, [(b'name="' + field + b'"', value)])
        http("form %s=%s" % (field, value), req("POST", "/", ct, body),
             methods=("POST",), expect={400, 403, 404, 409})
    # an upload form posted into a directory that leads out
    body = multipart(bnd, [(b'name="file"; filename="HOSTILE-u"', b"x")])
    for t in ("/up/", "/abs/", "/evil/", "/subup/", "/etc/", "/%2e%2e/"):
        http("form upload to %s" % t, req("POST", t, ct, body),
             methods=("POST",), expect={400, 403, 404})


def g_http_multipart_names():
    """Hostile filenames in a form upload land inside the store."""
    bnd = "b0undary"
    ct = "Content-Type: multipart/form-data; boundary=%s\r\n" % bnd
    cases = [
        (b'filename="../../HOSTILE-mp1"', {201}, b"HOSTILE-mp1"),
        (b"filename*=UTF-8''%2e%2e%2fHOSTILE-mp2", {201}, b"HOSTILE-mp2"),
        (b'filename="x"; filename*=UTF-8\'\'..%2F..%2FHOSTILE-mp3', {201},
         b"HOSTILE-mp3"),
        (b'filename="..\\..\\HOSTILE-mp4"', {201}, b"HOSTILE-mp4"),
        (b"filename=../../HOSTILE-mp5", {201}, b"HOSTILE-mp5"),
        (b'filename="/etc/HOSTILE-mp6"', {201}, b"HOSTILE-mp6"),
        (b'filename="C:\\Windows\\HOSTILE-mp7"', {201}, b"HOSTILE-mp7"),
        (b'filename="mp8%0D%0ASet-Cookie: injected=1"', {201},
         b"mp8\r\nSet-Cookie: injected=1"),
        (b'filename="mp9\rSet-Cookie: injected=1"', {201},
         b"mp9\rSet-Cookie: injected=1"),
        (b'filename="mp10%22; x=%22y"', {201}, b'mp10"; x="y'),
        (b"filename*=UTF-8''mp11%0D%0ALocation%3A%20http%3A%2F%2Fevil",
         {201}, b"evil"),
        (b'filename=".."', {400, 403}, None),
        (b'filename="."', {400, 403}, None),
        (b"filename*=UTF-8''%2e%2e", {400, 403}, None),
        (b'filename="../.."', {400, 403}, None),
        (b'filename=".wharf-tmp.0123456789abcdef"', {403, 404}, None),
        (b'filename="' + b"n" * 256 + b'"', {414, 400}, None),
        (b"filename*=UTF-8''%00", {400, 403, 201, 200}, None),
    ]
    for params, codes, stored in cases:
        body = multipart(bnd, [(b'name="file"; ' + params, b"HOSTILE-data")])
        for accept in ("", "Accept: text/html\r\n"):
            rs = http("form filename %s" % show(params),
                      req("POST", "/sub/", ct + accept, body),
                      methods=("POST",),
                      expect=codes | ({303} if accept and 201 in codes
                                      else set()))
            if rs and rs[0].status in (201, 303):
                loc = rs[0].h("location")
                if loc is not None and not re.match(rb"^/[!-~]*$", loc):
                    fail("form %s: Location %s" % (show(params), show(loc)))
        if stored is not None and b"/" not in stored:
            if not os.path.exists(env("STORE").encode() + b"/sub/" + stored):
                fail("form %s: %s not stored in sub/" %
                     (show(params), show(stored)))
    # malformed bodies: a 4xx (or nothing stored), never a 5xx
    disp = b'Content-Disposition: form-data; name="file"; filename='
    for label, body, codes in (
            ("no parts", b"--b0undary--\r\n", {200}),
            ("empty body", b"", {400}),
            ("no closing delimiter", b"--b0undary\r\n" + disp +
             b'"HOSTILE-nc"\r\n\r\ndata', {400}),
            ("part head of 9000", b"--b0undary\r\nX: " + b"a" * 9000 +
             b"\r\n\r\nx\r\n--b0undary--\r\n", {400}),
            ("padding of 300", b"--b0undary" + b" " * 300 + b"\r\n" + disp +
             b'"HOSTILE-pad"\r\n\r\nx\r\n--b0undary--\r\n', {400}),
            ("bare LF", b"--b0undary\n" + disp + b'"HOSTILE-lf"\n\nx\n'
             b"--b0undary--\n", {400}),
            ("mkdir field of 1025", b"--b0undary\r\nContent-Disposition: "
             b'form-data; name="mkdir"\r\n\r\n' + b"a" * 1025 +
             b"\r\n--b0undary--\r\n", {400}),
            ("filename of 2000", b"--b0undary\r\n" + disp + b'"' +
             b"A" * 2000 + b'"\r\n\r\nx\r\n--b0undary--\r\n', {414}),
            ("300 parts", b"".join(b"--b0undary\r\n" + disp +
                                   b'"many%d"\r\n\r\nx\r\n' % i
                                   for i in range(300)) +
             b"--b0undary--\r\n", {201})):
        http("form: %s" % label, req("POST", "/sub/", ct, body),
             methods=("POST",), expect=codes)
    # the same through a chunked body, and a CL+TE body (400)
    body = multipart(bnd, [(b'name="file"; filename="../../HOSTILE-mpc"',
                            b"chunked")])
    chunked = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
    http("form chunked", req("POST", "/sub/", ct +
                             "Transfer-Encoding: chunked\r\n", chunked),
         methods=("POST",), expect={201})


def g_http_headers():
    """Names with CR, LF, quotes: Content-Disposition and Location safe."""
    store = env("STORE").encode()
    names = sorted(os.listdir(store + b"/names"))
    for n in names:
        enc = "".join("%%%02X" % c for c in n)
        isdir = os.path.isdir(store + b"/names/" + n)
        for m in ("GET", "HEAD"):
            if isdir:
                rs = http("%s dir %s" % (m, show(n)),
                          req(m, "/names/" + enc), methods=(m,),
                          expect={301})
                for r in rs:
                    loc = r.h("location")
                    want = ("/names/" + enc + "/").encode()
                    if loc is None or not re.match(rb"^/[!-~]*$", loc):
                        fail("redirect for %s: Location %s" %
                             (show(n), show(loc)))
                    elif pct_decode(loc) != pct_decode(want):
                        fail("redirect for %s: Location %s, expected %s" %
                             (show(n), show(loc), show(want)))
                for q in ("?tar.gz", "?json", ""):
                    rs = http("%s dir %s/%s" % (m, show(n), q),
                              req(m, "/names/" + enc + "/" + q),
                              methods=(m,), expect={200})
                    for r in rs:
                        if q == "?tar.gz":
                            check_disposition(n + b".tar.gz", r)
                # a redirect keeps the query, which cannot hold CR/LF
                http("%s dir %s?x" % (m, show(n)),
                     req(m, "/names/" + enc + "?x=%0D%0ASet-Cookie:%20a"),
                     methods=(m,), expect={301})
                continue
            rs = http("%s %s?download" % (m, show(n)),
                      req(m, "/names/" + enc + "?download"), methods=(m,),
                      expect={200})
            for r in rs:
                check_disposition(n, r)
            for extra in ("Range: bytes=0-3\r\n", "Range: bytes=0-0,2-3\r\n",
                          "If-None-Match: *\r\n"):
                http("%s %s %s" % (m, show(n), extra.strip()),
                     req(m, "/names/" + enc + "?download", extra),
                     methods=(m,), expect={200, 206, 304})
    # uploads and directories made with hostile names: Location encoded
    for n in (b"put\r\nSet-Cookie: injected=1", b'put"q', b"put\x1b[2J"):
        enc = "".join("%%%02X" % c for c in n)
        for m, codes in (("PUT", {201, 204}), ("MKCOL", {201}),
                         ("DELETE", {204})):
            tgt = "/sub/" + enc + ("-d" if m == "MKCOL" else "")
            if m == "DELETE":
                tgt = "/sub/" + enc
            rs = http("%s %s" % (m, show(n)),
                      req(m, tgt, body=b"x" if m == "PUT" else b""),
                      methods=(m,), expect=codes)
            for r in rs:
                loc = r.h("location")
                if loc is not None and not re.match(rb"^/[!-~]*$", loc):
                    fail("%s %s: Location %s" % (m, show(n), show(loc)))


def pct_decode(b):
    return re.sub(rb"%([0-9A-Fa-f]{2})",
                  lambda x: bytes([int(x.group(1), 16)]), b)


def check_disposition(name, r):
    cd = r.h("content-disposition")
    if cd is None:
        fail("%s: no Content-Disposition" % show(name))
        return
    m = re.match(rb'^attachment; filename="([^"\\\x00-\x1f\x7f]*)"; '
                 rb"filename\*=UTF-8''([!#$&+\-.^_`|~0-9A-Za-z%]*)$", cd)
    if not m:
        fail("%s: Content-Disposition %s" % (show(name), show(cd)))
        return
    dec = pct_decode(m.group(2))
    if dec != name:
        fail("%s: filename* decodes to %s" % (show(name), show(dec)))


def g_smuggling():
    """Framing tricks get 400/501 and close; nothing hides a request."""
    canary = req("GET", "/hello.txt")
    G = "GET /hello.txt HTTP/1.1\r\nHost: x\r\n"
    P = "POST /sub/ HTTP/1.1\r\nHost: x\r\n"
    cases = [
        # (label, raw head+body, expected first status, allowed 5xx)
        ("CL then TE", P + "Content-Length: 5\r\nTransfer-Encoding: "
         "chunked\r\n\r\n0\r\n\r\n", {400}, ()),
        ("TE then CL", P + "Transfer-Encoding: chunked\r\nContent-Length: "
         "5\r\n\r\n0\r\n\r\n", {400}, ()),
        ("TE and CL 0", P + "Transfer-Encoding: chunked\r\nContent-Length: "
         "0\r\n\r\n0\r\n\r\n", {400}, ()),
        ("TE obs-fold", P + "Transfer-Encoding: identity\r\n chunked\r\n"
         "\r\n0\r\n\r\n", {400}, ()),
        ("TE empty then fold", P + "Transfer-Encoding:\r\n chunked\r\n\r\n"
         "0\r\n\r\n", {400}, ()),
        ("TE fold with tab", P + "Transfer-Encoding: chunked\r\n\tx\r\n\r\n"
         "0\r\n\r\n", {400}, ()),
        ("two different CL", P + "Content-Length: 3\r\nContent-Length: "
         "5\r\n\r\nabcde", {400}, ()),
        ("CL list differing", P + "Content-Length: 3, 5\r\n\r\nabcde",
         {400}, ()),
        ("CL negative", P + "Content-Length: -1\r\n\r\n", {400}, ()),
        ("CL plus sign", P + "Content-Length: +5\r\n\r\nabcde", {400}, ()),
        ("CL hex", P + "Content-Length: 0x5\r\n\r\nabcde", {400}, ()),
        ("CL junk", P + "Content-Length: 5a\r\n\r\nabcde", {400}, ()),
        ("CL empty", P + "Content-Length:\r\n\r\n", {400}, ()),
        ("CL 20 digits", P + "Content-Length: 99999999999999999999\r\n\r\n",
         {400}, ()),
        ("CL 19 digits", P + "Content-Length: 1000000000000000000\r\n\r\n",
         {400}, ()),
        ("TE chunked, identity", P + "Transfer-Encoding: chunked, identity"
         "\r\n\r\n0\r\n\r\n", {501}, (501,)),
        ("TE identity", P + "Transfer-Encoding: identity\r\n\r\n", {501},
         (501,)),
        ("TE gzip, chunked", P + "Transfer-Encoding: gzip, chunked\r\n\r\n"
         "0\r\n\r\n", {501}, (501,)),
        ("TE twice", P + "Transfer-Encoding: chunked\r\nTransfer-Encoding: "
         "chunked\r\n\r\n0\r\n\r\n", {501}, (501,)),
        ("TE xchunked", P + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
         {501}, (501,)),
        ("TE chunked;q", P + "Transfer-Encoding: chunked;q=1\r\n\r\n"
         "0\r\n\r\n", {501}, (501,)),
        ("TE in HTTP/1.0", "POST /sub/ HTTP/1.0\r\nTransfer-Encoding: "
         "chunked\r\n\r\n0\r\n\r\n", {400}, ()),
        ("space before colon TE", P + "Transfer-Encoding : chunked\r\n\r\n"
         "0\r\n\r\n", {400}, ()),
        ("space before colon CL", P + "Content-Length : 5\r\n\r\nabcde",
         {400}, ()),
        ("tab in field name", P + "Content\tLength: 5\r\n\r\nabcde", {400},
         ()),
        ("field without colon", G + "X-No-Colon\r\n\r\n", {400}, ()),
        ("empty field name", G + ": x\r\n\r\n", {400}, ()),
        ("NUL in field", G + "X-A: a\x00b\r\n\r\n", {400}, ()),
        ("NUL in target", "GET /hello.txt\x00.x HTTP/1.1\r\nHost: x\r\n\r\n",
         {400}, ()),
        ("CR inside field", G + "X-A: a\rSet-Cookie: b\r\n\r\n", {400}, ()),
        ("bare CR ends line", "GET /hello.txt HTTP/1.1\rHost: x\r\n\r\n",
         {400}, ()),
        ("DEL in field", G + "X-A: a\x7f\r\n\r\n", {400}, ()),
        ("ESC in target", "GET /\x1b[2J HTTP/1.1\r\nHost: x\r\n\r\n", {400},
         ()),
        ("space in target", "GET /hello .txt HTTP/1.1\r\nHost: x\r\n\r\n",
         {400}, ()),
        ("two Hosts", G + "Host: y\r\n\r\n", {400}, ()),
        ("no Host in 1.1", "GET /hello.txt HTTP/1.1\r\n\r\n", {400}, ()),
        ("obs-fold in Host", "GET /hello.txt HTTP/1.1\r\nHost: x\r\n y\r\n"
         "\r\n", {400}, ()),
        ("UTF-8 field name", G + "X-\xc3\xa9: 1\r\n\r\n", {400}, ()),
        ("chunk size 16 hex", P + "Transfer-Encoding: chunked\r\n\r\n"
         "10000000000000000\r\n", {400, 415}, ()),
        ("chunk size negative", P + "Transfer-Encoding: chunked\r\n\r\n"
         "-1\r\n\r\n", {400, 415}, ()),
        ("chunk size 0x", P + "Transfer-Encoding: chunked\r\n\r\n"
         "0x5\r\nabcde\r\n0\r\n\r\n", {400, 415}, ()),
        ("chunk missing CRLF", P + "Transfer-Encoding: chunked\r\n\r\n"
         "5\r\nabcdeXX0\r\n\r\n", {400, 415}, ()),
        ("chunk ext with CR", P + "Transfer-Encoding: chunked\r\n\r\n"
         "5;a\rb\r\nabcde\r\n0\r\n\r\n", {400, 415}, ()),
        ("unknown method CONNECT", "CONNECT evil:443 HTTP/1.1\r\nHost: "
         "evil:443\r\n\r\n", {501}, (501,)),
        ("unknown method TRACE", "TRACE / HTTP/1.1\r\nHost: x\r\n\r\n",
         {501}, (501,)),
        ("lower-case get", "get /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n",
         {501}, (501,)),
        ("17-letter method", "ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\nHost: x\r\n"
         "\r\n", {501}, (501,)),
        ("method not a token", "GE(T / HTTP/1.1\r\nHost: x\r\n\r\n", {400},
         ()),
        ("HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", {505}, (505,)),
        ("HTTP/0.9 version", "GET / HTTP/0.9\r\nHost: x\r\n\r\n", {505},
         (505,)),
        ("HTTP/1.10", "GET / HTTP/1.10\r\nHost: x\r\n\r\n", {400}, ()),
        ("lower-case version", "GET / http/1.1\r\nHost: x\r\n\r\n", {400},
         ()),
        ("no version", "GET /hello.txt\r\n\r\n", {400}, ()),
        ("extra word", "GET / HTTP/1.1 x\r\nHost: x\r\n\r\n", {400}, ()),
        ("two spaces", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", {400}, ()),
        ("65 empty lines first", "\r\n" * 33 + G + "\r\n", {400}, ()),
        ("a WHARF/1 line", "LIST ../outside\r\n\r\n", {400}, ()),
    ]
    for label, raw, codes, allow5 in cases:
        # the canary after a rejected request must not be answered
        http(label, raw.encode("latin-1") + canary, methods=("POST",),
             expect=codes, allow5=allow5, count=1, closed=True)
    # Accepted forms: the body is consumed whole, the canary answered,
    # and a request hidden in the body never is.
    hidden = b"GET /sub/inner.txt HTTP/1.1\r\nHost: x\r\n\r\n"
    ok = [
        ("GET with a body hiding a request",
         G + "Content-Length: %d\r\n\r\n" % len(hidden), hidden, {200}),
        ("CL list of equal values", G + "Content-Length: %d, %d\r\n\r\n" %
         (len(hidden), len(hidden)), hidden, {200}),
        ("chunked body hiding a request", P + "Transfer-Encoding: chunked"
         "\r\n\r\n", b"%x\r\n" % len(hidden) + hidden + b"\r\n0\r\n\r\n",
         {415}),
        ("TE Chunked any case, trailer", P + "Transfer-Encoding: Chunked"
         "\r\n\r\n", b"%x;ext=1\r\n" % len(hidden) + hidden +
         b"\r\n0\r\nX-Trailer: GET / HTTP/1.1\r\n\r\n", {415}),
        ("bare LF line ends", "GET /hello.txt HTTP/1.1\nHost: x\n"
         "Content-Length: %d\n\n" % len(hidden), hidden, {200}),
        ("64 empty bytes first", "\r\n" * 32 + G + "Content-Length: %d\r\n"
         "\r\n" % len(hidden), hidden, {200}),
        ("Expect other than 100-continue", G + "Expect: 200-ok\r\n"
         "Content-Length: %d\r\n\r\n" % len(hidden), hidden, {417}),
        ("absolute-form with another Host", "GET http://evil.example/"
         "hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n"
         "\r\n" % len(hidden), hidden, {200}),
    ]
    for label, head, body, codes in ok:
        rs = http(label, head.encode("latin-1") + body + canary,
                  methods=("GET", "GET"), expect=codes, count=2)
        if len(rs) == 2 and (rs[1].status != 200 or
                             rs[1].body != b"hello, wharf\n"):
            fail("%s: the next request got %r" % (label, rs[1]))
        for r in rs:
            if r.body == b"inner\n":
                fail("%s: the request hidden in the body was answered" %
                     label)
    # a body longer than the drain limit: the server closes, not parses
    http("big body on a GET", G.encode() + b"Content-Length: 10000000\r\n"
         b"\r\n" + hidden * 10 + canary, count=1, expect={200},
         timeout=5)


def g_http_limits():
    """Request line 8192, header block 16384, 100 fields, boundary 70,
    16 ranges: limit-1 and limit pass, limit+1 gets its 4xx."""
    for total, codes in ((8191, {200}), (8192, {200}), (8193, {414}),
                         (9000, {414}), (20000, {414})):
        pre = "GET /hello.txt?"
        post = " HTTP/1.1"
        line = pre + "a" * (total - len(pre) - len(post)) + post
        assert len(line) == total
        for eol in ("\r\n", "\n"):
            http("request line of %d%s" % (total, " LF" if eol == "\n"
                                           else ""),
                 (line + eol + "Host: x" + eol + eol).encode(),
                 expect=codes, count=1)
    # header block: field lines with their CRLFs
    for total, codes in ((16383, {200}), (16384, {200}), (16385, {431}),
                         (40000, {431}), (70000, {431})):
        host = "Host: x\r\n"
        pad = total - len(host) - len("X-Pad: \r\n")
        block = host + "X-Pad: " + "p" * pad + "\r\n"
        assert len(block) == total
        http("header block of %d" % total,
             ("GET /hello.txt HTTP/1.1\r\n" + block + "\r\n").encode(),
             expect=codes, count=1)
    # both at their limits at once still fit
    line = "GET /hello.txt?" + "a" * (8192 - 24) + " HTTP/1.1"
    block = "Host: x\r\nX-Pad: " + "p" * (16384 - 9 - 9) + "\r\n"
    http("line and block at their limits", (line + "\r\n" + block +
                                            "\r\n").encode(), expect={200})
    for n, codes in ((99, {200}), (100, {200}), (101, {431}), (1000, {431})):
        fields = "Host: x\r\n" + "".join("X-F%d: v\r\n" % i
                                         for i in range(n - 1))
        http("%d fields" % n, ("GET /hello.txt HTTP/1.1\r\n" + fields +
                               "\r\n").encode(), expect=codes, count=1)
    # a path component of 255 and 256 bytes, a path near PATH_MAX
    http("component of 255", req("GET", "/" + "n" * 255), expect={404})
    http("component of 256", req("GET", "/" + "n" * 256), expect={414})
    for total, codes in ((4094, {404}), (4095, {404}), (4096, {414}),
                         (5000, {414})):
        path = ("/" + ("n" * 199 + "/") * 30)[:total - 1] + "n"
        http("URL path of %d" % total, req("GET", path), expect=codes)
        # partly percent-encoded: the decoded length counts
        http("URL path of %d, encoded" % total,
             req("GET", path.replace("n", "%6E", 1000)), expect=codes)
    # multipart boundary: 69, 70 bytes accepted, 71 refused (415)
    for n, codes in ((69, {201}), (70, {201}), (71, {415})):
        bnd = "B" * n
        body = multipart(bnd, [(b'name="file"; filename="bnd%d"' % n,
                                b"boundary")])
        http("boundary of %d" % n, req("POST", "/sub/",
                                       "Content-Type: multipart/form-data; "
                                       "boundary=%s\r\n" % bnd, body),
             methods=("POST",), expect=codes)
        http("quoted boundary of %d" % n,
             req("POST", "/sub/", "Content-Type: multipart/form-data; "
                 "boundary=\"%s\"\r\n" % bnd, body),
             methods=("POST",), expect=codes)
    # chunk lines: 1024 bytes of extension is the most
    for n, codes in ((1000, {201, 204}), (1030, {400})):
        ext = "1;" + "e" * (n - 2)
        http("chunk line of %d" % n,
             req("PUT", "/sub/chunkline", "Transfer-Encoding: chunked\r\n",
                 (ext + "\r\nz\r\n0\r\n\r\n").encode()),
             methods=("PUT",), expect=codes)
    # ranges: 15 and 16 are served, 17 ignored (the whole file)
    data = open(env("STORE") + "/range.bin", "rb").read()
    for n, status in ((15, 206), (16, 206), (17, 200)):
        spec = ",".join("%d-%d" % (i * 100, i * 100 + 9) for i in range(n))
        rs = http("%d ranges" % n, req("GET", "/range.bin",
                                       "Range: bytes=%s\r\n" % spec),
                  expect={status})
        if rs and status == 206:
            parts = byteranges(rs[0])
            if len(parts) != n:
                fail("%d ranges: %d parts" % (n, len(parts)))
            for first, last, body in parts:
                if body != data[first:last + 1]:
                    fail("%d ranges: part %d-%d wrong" % (n, first, last))
        elif rs and rs[0].body != data:
            fail("%d ranges: not the whole file" % n)


def byteranges(r):
    """[(first, last, bytes)] of a 206, single or multipart."""
    ct = r.h("content-type") or b""
    if not ct.startswith(b"multipart/byteranges"):
        m = re.match(rb"^bytes (\d+)-(\d+)/(\d+)$", r.h("content-range")
                     or b"")
        if not m:
            fail("206 without a Content-Range: %r" % r)
            return []
        return [(int(m.group(1)), int(m.group(2)), r.body)]
    bnd = ct.split(b"boundary=")[1]
    parts = []
    for p in r.body.split(b"\r\n--" + bnd)[1:]:
        if p.startswith(b"--"):
            break
        head, _, body = p.partition(b"\r\n\r\n")
        m = re.search(rb"Content-Range: bytes (\d+)-(\d+)/\d+", head)
        if not m:
            fail("part without Content-Range: %s" % show(head))
            continue
        parts.append((int(m.group(1)), int(m.group(2)), body))
    return parts


def g_ranges():
    """Range abuse: capped, coalesced, never amplified, never a 5xx."""
    data = open(env("STORE") + "/range.bin", "rb").read()
    size = len(data)
    big = "99999999999999999999"
    cases = [
        (",".join("%d-%d" % (i, i) for i in range(0, 2000, 2)), {200}),
        (",".join("0-%d" % size for _ in range(1000)), {200}),
        (",".join("0-0" for _ in range(16)), {206}),
        (",".join("%d-%d" % (i, i) for i in range(16)), {206}),
        ("0-100,50-150,100-200,0-", {206}),
        ("0-" + big, {206}), (big + "-", {416}), ("-" + big, {206}),
        (big + "-" + big, {416}), ("18446744073709551615-", {416}),
        ("18446744073709551616-18446744073709551617", {416}),
        ("0-18446744073709551615", {206}), ("0-0,-1", {206}),
        ("-5-10", {200}), ("--5", {200}), ("5-1", {200}), ("-0", {416}),
        ("-", {200}), ("", {200}), (",", {200}), (",,,0-1,,,", {206}),
        ("0-1;x", {200}), ("0-1,a-b", {200}), ("%d-" % size, {416}),
        ("%d-%d" % (size - 1, size - 1), {206}), ("0- 1", {200}),
        (" 0-1 , 2-3 ", {206}), ("0-1\t,\t4-5", {206}),
        ("0x0-0x10", {200}), ("1e3-2e3", {200}),
        (",".join(["-1"] * 16), {206}), (",".join(["0-"] * 16), {206}),
        ("0-" + "9" * 1000, {206}),
    ]
    for spec, codes in cases:
        for unit in ("bytes=", "bytes =", "BYTES=", "items="):
            u_codes = codes if unit != "items=" else {200}
            if unit != "bytes=" and len(spec) > 50:
                continue
            for m in ("GET", "HEAD"):
                rs = http("%s Range: %s%s" % (m, unit, show(spec.encode(),
                                                             60)),
                          req(m, "/range.bin", "Range: %s%s\r\n" %
                              (unit, spec)),
                          methods=(m,), expect=u_codes)
                if not rs or m == "HEAD":
                    continue
                r = rs[0]
                if r.status == 200 and r.body != data:
                    fail("Range %s: 200 without the file" % spec[:60])
                if r.status == 416 and r.h("content-range") != \
                        b"bytes */%d" % size:
                    fail("Range %s: 416 with %r" % (spec[:60],
                                                    r.h("content-range")))
                if r.status == 206:
                    parts = byteranges(r)
                    if len(r.body) > size + len(parts) * 256 + 64:
                        fail("Range %s: %d bytes for a file of %d" %
                             (spec[:60], len(r.body), size))
                    last = -2
                    for first, lst, body in sorted(parts):
                        if first <= last + 1:
                            fail("Range %s: parts overlap or touch" %
                                 spec[:60])
                        if body != data[first:lst + 1]:
                            fail("Range %s: part %d-%d wrong" %
                                 (spec[:60], first, lst))
                        last = lst
    # If-Range that does not match: the whole file
    rs = http("If-Range garbage", req("GET", "/range.bin",
                                      "Range: bytes=0-1\r\nIf-Range: "
                                      "\"\x80\xff\"\r\n"), expect={200})


def g_wharf_read():
    """LIST, GET, STAT, PART of every escape: refused, nothing leaks."""
    w = Wharf("wharf read")
    for p in WHARF_ESCAPES:
        for verb, ok in (("LIST", {501, 550, 554}),
                         ("GET", {501, 550, 551, 554}),
                         ("STAT", {501, 550, 554}),
                         ("GET %s offset=0 compress=zlib", {501, 550, 551,
                                                            554}),
                         ("PART", {200, 501, 550, 554})):
            line = (verb % p) if "%s" in verb else verb + " " + p
            code, text = wexpect(w, line, ok)
            if code == 200 and verb == "PART" and \
                    text != b"offset=0 crc32=00000000":
                fail("PART %s: %s" % (p, show(text)))
            if w.eof:
                w = Wharf("wharf read")
    # inside: a link that stays in the store is followed
    code, text = wexpect(w, "GET inner", {226})
    code, text = wexpect(w, "GET sub/back", {226})
    code, text = wexpect(w, "STAT sub/back", {200})
    # the links out are 'l' entries with size 0 and nothing of the target
    w.send(b"LIST\r\n")
    code, text = w.reply()
    entries = {}
    while True:
        ln = w.line()
        if ln is None or ln[:1].isdigit():
            break
        t, size, _, name = ln.split(b" ", 3)
        entries[name] = (t, size)
    for name in (b"passwd", b"etc", b"up", b"evil", b"abs", b"secretlink",
                 b"subup", b"selfroot", b"loop", b"dangling"):
        if entries.get(name) != (b"l", b"0"):
            fail("LIST: %s is %r, expected an l entry of size 0" %
                 (show(name), entries.get(name)))
    if entries.get(b"inner", (b"?",))[0] != b"f":
        fail("LIST: inner (a link inside) is %r" % (entries.get(b"inner"),))
    w.close()


def g_wharf_write():
    """PUT, MKDIR, RENAME, DELETE through every escape: nothing written."""
    w = Wharf("wharf write")
    for p in WHARF_ESCAPES:
        q = p.replace("secret", "HOSTILE-w").replace("LEAKNAME", "HOSTILE")
        for line, ok in (
                ("PUT %s/HOSTILE-put size=7" % q, {501, 550, 551, 554}),
                ("PUT %s/HOSTILE-put" % q, {501, 550, 551, 554}),
                ("MKDIR %s/HOSTILE-dir" % q, {501, 550, 553, 554}),
                ("RENAME hello.txt %s/HOSTILE-mv" % q,
                 {501, 550, 551, 553, 554}),
                ("RENAME %s HOSTILE-stolen" % q, {501, 550, 551, 553, 554}),
                ("DELETE %s" % p, {501, 550, 553, 554}),
                ("DELETE %s/secret" % p, {501, 550, 554})):
            if (line.startswith("RENAME %s " % q) or
                    line.startswith("DELETE")) and p.strip("/") in LINKS:
                continue    # renaming or deleting the link itself is fine
            wexpect(w, line, ok, payload=b"HOSTILE")
            if w.eof:
                fail("wharf write: %s closed the session" % line)
                w = Wharf("wharf write")
    # names that would be hidden, or are the root
    for line, ok in (("PUT .wharf-tmp.HOSTILE size=1", {550}),
                     ("PUT sub/.wharf-part.HOSTILE size=1", {550}),
                     ("MKDIR .wharf-HOSTILE", {550}),
                     ("RENAME hello.txt .wharf-tmp.HOSTILE", {550}),
                     ("PUT / size=1", {551}), ("MKDIR /", {553}),
                     ("DELETE /", {554}), ("RENAME / HOSTILE-root", {554}),
                     ("RENAME sub sub/HOSTILE-in", {501, 554})):
        wexpect(w, line, ok, payload=b"H")
    w.close()


def g_wharf_links():
    """Writes at a link change the link, never what it points to."""
    store = env("STORE").encode()
    work = env("WORK").encode()
    w = Wharf("wharf links")
    wexpect(w, "PUT victim size=6", {226}, payload=b"mine!\n")
    wexpect(w, "DELETE victim2", {200})
    wexpect(w, "RENAME victim3 sub/moved", {200})
    wexpect(w, "PUT newout size=3", {226}, payload=b"new")
    wexpect(w, "MKDIR dangling", {553})
    wexpect(w, "PUT dangling/HOSTILE-x size=1", {550, 554}, payload=b"x")
    w.close()
    if os.path.islink(store + b"/victim") or \
            open(store + b"/victim", "rb").read() != b"mine!\n":
        fail("PUT victim did not replace the link with a file")
    if os.path.lexists(store + b"/victim2"):
        fail("DELETE victim2 left the link")
    if os.readlink(store + b"/sub/moved") != b"../outside/secret":
        fail("RENAME moved something else than the link")
    if os.path.lexists(work + b"/outside/HOSTILE-created-by-link"):
        fail("PUT newout created the link's target outside")
    # over HTTP: PUT over a link, DELETE a link
    http("PUT /victim4", req("PUT", "/victim4", body=b"mine\n"),
         methods=("PUT",), expect={201, 204})
    if os.path.islink(store + b"/victim4"):
        fail("HTTP PUT victim4 left the link")
    http("DELETE /secretlink", req("DELETE", "/secretlink"),
         methods=("DELETE",), expect={204})
    http("MKCOL /dangling", req("MKCOL", "/dangling"), methods=("MKCOL",),
         expect={409})
    if not os.path.exists(work + b"/outside/secret"):
        fail("the secret outside is gone")


def g_wharf_lines():
    """Malformed and limit-sized WHARF/1 lines."""
    w = Wharf("wharf lines")
    cases = [
        (b"\x00NOOP", {500}), (b"NO\x00OP", {500}), (b"NOOP\x00", {500}),
        (b"NOOP\rX", {500}), (b"", {500}), (b" NOOP", {500}),
        (b"NOOP\t", {500}), (b"N0OP", {500}), (b"\xc3\xa9", {500}),
        (b"\x1b[2J\x1b]0;pwned\x07", {500}), (b"STAT \x1b[2J", {500}),
        (b"NOOP ", {501}), (b"STAT  hello.txt", {501}),
        (b"STAT hello.txt ", {501}), (b"STAT %zz", {501}),
        (b"STAT %4", {501}), (b"STAT %00", {501}), (b"STAT a%2", {501}),
        (b"STAT caf\xc3\xa9", {550}), (b"STAT \xff\xfe", {550}),
        (b"GET hello.txt offset=-1", {501}),
        (b"GET hello.txt offset=1e3", {501}),
        (b"GET hello.txt offset=99999999999999999999999", {501}),
        (b"GET hello.txt offset=18446744073709551615", {501}),
        (b"GET hello.txt offset=18446744073709551616", {501}),
        (b"GET hello.txt offset=14", {501}), (b"GET hello.txt offset=13",
                                              {226}),
        (b"GET hello.txt compress=ZLIB", {501}),
        (b"GET hello.txt compress", {501}),
        (b"PUT HOSTILE-o size=5 offset=6", {501}),
        (b"PUT HOSTILE-o size=x", {501}),
        (b"PUT HOSTILE-o offset=3", {503}),
        (b"RENAME a b clobber", {501}),
        (b"AUTH \x1b[2J x", {500}), (b"AUTH a b", {502}),
        (b"GET / HTTP/1.1", {501}), (b"Host: x", {500}),
        (b"ABCDEFGHIJKLMNO", {502}), (b"ABCDEFGHIJKLMNOP", {502}),
        (b"ABCDEFGHIJKLMNOPQ", {500}), (b"abcdefghijklmnopqrstuvwxyz", {500}),
        (b"STAT 1 2 3 4 5 6 7", {501}), (b"STAT 1 2 3 4 5 6 7 8", {501}),
        (b"STAT 1 2 3 4 5 6 7 8 9", {501}),
    ]
    for line, ok in cases:
        code, text = wexpect(w, line, ok)
        if line.startswith(b"STAT 1 2") and code == 501:
            many = line.count(b" ") > 8
            if many != text.startswith(b"bad arguments"):
                fail("%d arguments: 501 %s" % (line.count(b" "), show(text)))
        if w.eof:
            fail("%s closed the session" % show(line))
            w = Wharf("wharf lines")
    # the session still works, and nothing was stored
    wexpect(w, "NOOP", {200})
    w.close()
    # line length: 4096 bytes with the terminator is the most
    for total, eol, ok in ((4095, b"\r\n", {550}), (4096, b"\r\n", {550}),
                           (4097, b"\r\n", {500}), (4095, b"\n", {550}),
                           (4096, b"\n", {550}), (4097, b"\n", {500}),
                           (70000, b"\r\n", {500})):
        w = Wharf("line of %d" % total)
        pre = b"STAT "
        n = total - len(pre) - len(eol)
        path = (b"a" * 199 + b"/") * (n // 200) + b"a" * (n % 200)
        line = pre + path
        assert len(line) + len(eol) == total
        w.send(line + eol)
        code, text = w.reply()
        if code not in ok:
            fail("line of %d (%r): %s %s" % (total, eol, code, show(text)))
        if code == 500:
            if not text.startswith(b"line too long"):
                fail("line of %d: %s" % (total, show(text)))
            if w.line() is not None:
                fail("line of %d: session went on" % total)
            w.s.close()
            check_leak(w.label, w.seen)
        else:
            wexpect(w, "NOOP", {200})
            w.close()
    # no terminator at all: refused once 4096 bytes are held
    w = Wharf("no terminator")
    w.send(b"N" * 4096)
    code, text = w.reply()
    if code != 500:
        fail("4096 bytes without LF: %s %s" % (code, show(text)))
    w.s.close()


def g_wharf_chunks():
    """Chunks of 1048575 and 1048576 bytes pass, 1048577 closes."""
    store = env("STORE").encode()
    for size, ok in ((1048575, True), (1048576, True), (1048577, False)):
        w = Wharf("chunk of %d" % size)
        name = b"chunk-%d" % size
        w.send(b"PUT " + name + b"\r\n")
        code, text = w.reply()
        if code != 151:
            fail("PUT %s: %s %s" % (name, code, show(text)))
            continue
        data = bytes(size)
        w.send(b"%d\r\n" % size)
        if ok:
            w.send(data + b"0\r\nCRC32 %08x\r\n" % zlib.crc32(data))
            code, text = w.reply()
            if code != 226:
                fail("chunk of %d: %s %s" % (size, code, show(text)))
            elif os.path.getsize(store + b"/" + name) != size:
                fail("chunk of %d: stored size differs" % size)
            w.close()
            continue
        code, text = w.reply()
        if code != 500 or not text.startswith(b"bad chunk header"):
            fail("chunk of %d: %s %s" % (size, code, show(text)))
        if w.line() is not None:
            fail("chunk of %d: the session went on" % size)
        w.s.close()
        if os.path.lexists(store + b"/" + name):
            fail("chunk of %d: a file was stored" % size)
    # malformed chunk headers: 500 and close, nothing kept
    for hdr in (b"0001048577\r\n", b"1048576000000000\r\n", b"5\n",
                b"-1\r\n", b"+5\r\n", b" 5\r\n", b"5 \r\n", b"0x5\r\n",
                b"5;ext\r\n", b"\r\n"):
        w = Wharf("chunk header %r" % hdr)
        w.send(b"PUT HOSTILE-chunk\r\n")
        code, text = w.reply()
        w.send(hdr + b"abcde0\r\nCRC32 00000000\r\n")
        code, text = w.reply()
        if code != 500:
            fail("chunk header %r: %s %s" % (hdr, code, show(text)))
        w.s.close()
    # a PUT announcing 2^64-1 bytes, then gone: nothing left behind
    w = Wharf("huge size")
    w.send(b"PUT HOSTILE-huge size=18446744073709551615\r\n")
    code, text = w.reply()
    if code != 151:
        fail("PUT size=2^64-1: %s %s" % (code, show(text)))
    w.s.close()
    # after each of these, nothing is stored and no temporary is left
    deadline = time.time() + 5
    while True:
        left = [n for n in os.listdir(store) if n.startswith(b".wharf-") or
                n.startswith(b"HOSTILE") or n == b"chunk-1048577"]
        if not left or time.time() > deadline:
            break
        time.sleep(0.05)
    if left:
        fail("after the refused chunks: %r in the store" % left)


def g_maxupload():
    """--max-upload N: N-1 and N stored, N+1 refused on both protocols."""
    n = int(env("MAXUP"))
    store = env("STORE").encode()
    for size, ok in ((n - 1, True), (n, True), (n + 1, False)):
        data = b"m" * size
        w = Wharf("max-upload %d" % size)
        for opts, label in ((b" size=%d" % size, b"raw"), (b"", b"chunked")):
            name = b"mu-%s-%d" % (label, size)
            code, text = w.cmd(b"PUT " + name + opts, payload=data)
            want = 226 if ok else 552
            if code != want:
                fail("WHARF/1 PUT %s %d bytes: %s %s" % (label, size, code,
                                                        show(text)))
            if os.path.lexists(store + b"/" + name) != ok:
                fail("WHARF/1 PUT %s %d bytes: stored=%s" %
                     (label, size, not ok))
        w.close()
        want = {201} if ok else {413}
        http("HTTP PUT %d" % size, req("PUT", "/hp-%d" % size, body=data),
             methods=("PUT",), expect=want)
        http("HTTP PUT chunked %d" % size,
             req("PUT", "/hc-%d" % size, "Transfer-Encoding: chunked\r\n",
                 b"%x\r\n" % size + data + b"\r\n0\r\n\r\n"),
             methods=("PUT",), expect=want)
        bnd = "mub"
        body = multipart(bnd, [(b'name="file"; filename="hf-%d"' % size,
                                data)])
        http("HTTP form chunked %d" % size,
             req("POST", "/", "Content-Type: multipart/form-data; "
                 "boundary=%s\r\nTransfer-Encoding: chunked\r\n" % bnd,
                 b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"),
             methods=("POST",), expect=want)
        for nm in (b"hp-%d" % size, b"hc-%d" % size, b"hf-%d" % size):
            p = store + b"/" + nm
            if os.path.lexists(p) != ok or \
                    (ok and os.path.getsize(p) != size):
                fail("HTTP %s: stored=%s" % (nm, os.path.lexists(p)))
    if [x for x in os.listdir(store) if x.startswith(b".wharf-")]:
        fail("max-upload: temporaries left: %r" % os.listdir(store))


def g_maxupload_form_cl():
    """A form upload of exactly N bytes, with a Content-Length."""
    n = int(env("MAXUP"))
    bnd = "mub"
    body = multipart(bnd, [(b'name="file"; filename="hfl-%d"' % n,
                            b"m" * n)])
    http("HTTP form with Content-Length, file of %d" % n,
         req("POST", "/", "Content-Type: multipart/form-data; "
             "boundary=%s\r\n" % bnd, body), methods=("POST",),
         expect={201})


def g_names_listing():
    """Hostile names in the HTML and JSON listings."""
    store = env("STORE").encode()
    names = set(os.listdir(store + b"/names"))
    rs = http("HTML listing", req("GET", "/names/"), expect={200})
    page = rs[0].body if rs else b""
    for bad in (b"<script>alert", b"<img src=x", b'" onmouseover="',
                b"<b>", b'href="javascript:', b"dq'sq", b'quote"'):
        if bad in page:
            fail("HTML listing: raw %s from a name" % show(bad))
    for want in (b"&lt;script&gt;alert(1)", b"&lt;img src=x "
                 b"onerror=alert(1)&gt;", b"&quot; onmouseover=&quot;",
                 b"quote&quot;dq&#39;sq"):
        if want not in page:
            fail("HTML listing: %s missing" % show(want))
    hrefs = [h for h in re.findall(rb'href="([^"]*)"', page)
             if not h.startswith((b"/.wharf/", b"?"))]
    for href in hrefs:
        if re.search(rb"[\x00-\x20\x7f-\xff<>'\\?#]", href):
            fail("HTML listing: href %s" % show(href))
    # every link of a row leads to its own entry, '?' and '#' included
    rows = [h for h in hrefs if h.startswith(b"./")]
    if len(rows) != len(names):
        fail("HTML listing: %d rows for %d names" % (len(rows), len(names)))
    for href in rows:
        rs = http("link %s" % show(href), req("HEAD", "/names/" +
                                              href[2:].decode()),
                  methods=("HEAD",), expect={200})
    # the title and breadcrumbs of a directory with a hostile name
    enc = "".join("%%%02X" % c for c in HOSTILE_DIR)
    rs = http("HTML listing of a hostile dir", req("GET", "/names/" + enc +
                                                   "/"), expect={200})
    if rs and (b"<b>" in rs[0].body or b"X-Injected: 1\"" in rs[0].body):
        fail("HTML listing of a hostile dir: raw name in the page")
    rs = http("JSON listing", req("GET", "/names/?json"), expect={200})
    try:
        doc = json.loads(rs[0].body.decode("utf-8"))
    except (ValueError, IndexError, UnicodeDecodeError) as e:
        fail("JSON listing does not parse: %s" % e)
        return
    got = set()
    for e in doc["entries"]:
        got.add(e["name"])
        if re.search(r"[\x00-\x1f\x7f]", e["url"]):
            fail("JSON url %r" % e["url"])
    for n in names:
        try:
            s = n.decode("utf-8")
        except UnicodeDecodeError:
            s = n.decode("latin-1")
        if s not in got:
            fail("JSON listing: %r missing" % s)
    if re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", rs[0].body):
        fail("JSON listing: a raw control byte")


def g_names_page_controls():
    """No raw control byte from a name in the HTML page."""
    for t in ("/names/", "/names/" + "".join("%%%02X" % c
                                             for c in HOSTILE_DIR) + "/"):
        rs = http("HTML page %s" % t, req("GET", t), expect={200})
        if not rs:
            continue
        m = re.search(rb".{0,20}[\x00-\x08\x0b-\x1f\x7f].{0,20}",
                      rs[0].body, re.S)
        if m:
            fail("HTML page %s: raw control byte in %s" % (t,
                                                          show(m.group(0))))


def g_names_traffic():
    """Traffic with hostile names, for the log checks."""
    w = Wharf("names traffic")
    for n in HOSTILE_NAMES[:6] + [b"x\x1b[31mred\x9b"]:
        enc = b"".join(b"%%%02X" % c for c in n)
        wexpect(w, b"STAT names/" + enc, {200, 550})
        wexpect(w, b"GET names/" + enc, {226, 550})
        wexpect(w, b"PUT sub/" + enc + b" size=1", {226}, payload=b"x")
        wexpect(w, b"RENAME sub/" + enc + b" sub/" + enc + b"2", {200})
        wexpect(w, b"DELETE sub/" + enc + b"2", {200})
        wexpect(w, b"MKDIR sub/" + enc, {200})
        wexpect(w, b"LIST sub/" + enc, {200})
        wexpect(w, b"DELETE sub/" + enc, {200})
    # raw bytes (not encoded) that a line may carry: 0x80-0xff
    wexpect(w, b"STAT names/csi8\x9b2J", {200})
    wexpect(w, b"STAT caf\xc3\xa9-\x1b", {500})
    w.close()
    for n in HOSTILE_NAMES[:6]:
        enc = "".join("%%%02X" % c for c in n)
        http("GET names %s" % show(n), req("GET", "/names/" + enc,
                                           "User-Agent: ua\x9b\xff\r\n"
                                           "Referer: \x80\xc3\xa9\r\n"),
             expect={200})
        http("PUT names %s" % show(n), req("PUT", "/sub/h" + enc, body=b"x"),
             methods=("PUT",), expect={201, 204})
    http("ESC in target", b"GET /\x1b]0;pwned\x07 HTTP/1.1\r\nHost: x\r\n"
         b"\r\n", expect={400})


def g_tar():
    """?tar.gz of the store: links out are skipped, no member escapes."""
    rs = http("GET /?tar.gz", req("GET", "/?tar.gz"), expect={200})
    if not rs:
        return
    try:
        raw = zlib.decompress(rs[0].body, 31)
    except zlib.error as e:
        fail("tar.gz does not decompress: %s" % e)
        return
    check_leak("tar.gz (decompressed)", raw)
    names = {}
    with tarfile.open(fileobj=io.BytesIO(raw)) as tf:
        for m in tf.getmembers():
            if m.name.startswith("/") or ".." in m.name.split("/"):
                fail("tar member %r escapes" % m.name)
            if not (m.isfile() or m.isdir()):
                fail("tar member %r is of type %r" % (m.name, m.type))
            if m.isfile():
                names[m.name] = tf.extractfile(m).read()
    for want, data in (("wharf/hello.txt", b"hello, wharf\n"),
                       ("wharf/inner", b"hello, wharf\n"),
                       ("wharf/sub/back", b"hello, wharf\n")):
        if names.get(want) != data:
            fail("tar: %s is %r" % (want, names.get(want)))
    for gone in ("wharf/passwd", "wharf/secretlink", "wharf/sub/deep",
                 "wharf/up/secret", "wharf/evil/secret", "wharf/abs/secret"):
        if gone in names:
            fail("tar: %s is in the archive" % gone)
    for t in ("/up/?tar.gz", "/evil/?tar.gz", "/abs/?tar.gz",
              "/subup/?tar.gz", "/etc/?tar.gz", "/%2e%2e/?tar.gz"):
        http("GET %s" % t, req("GET", t), expect={403, 404})


def special_files(kinds):
    """Make the special files of kinds (socket, fifo, device) in the store,
    with a link to each; GET of any over either protocol is refused."""
    store = env("STORE")
    made = []
    for k in kinds:
        p = store + "/special-" + k
        if k == "socket":
            s = socket.socket(socket.AF_UNIX)
            s.bind(p)
            s.close()
        elif k == "fifo":
            os.mkfifo(p)
        elif k == "device":
            try:
                os.mknod(p, 0o644 | stat.S_IFCHR, os.makedev(1, 5))
            except OSError:
                continue    # not root, or no mknod here
        os.symlink("special-" + k, store + "/link-" + k)
        made += ["special-" + k, "link-" + k]
    return made


def g_special(kinds):
    names = special_files(kinds)
    w = Wharf("special files")
    for n in names:
        wexpect(w, "GET " + n, {551})
        wexpect(w, "GET %s compress=zlib offset=0" % n, {551})
        code, text = wexpect(w, "STAT " + n, {200})
        if code == 200 and not text.startswith(b"o 0 "):
            fail("STAT %s: %s" % (n, show(text)))
        wexpect(w, "LIST " + n, {200})
    w.close()
    for n in names:
        for m in ("GET", "HEAD"):
            for q in ("", "?download", "?tar.gz"):
                http("%s %s%s" % (m, n, q), req(m, "/" + n + q),
                     methods=(m,), expect={403})
    rs = http("GET /?tar.gz", req("GET", "/?tar.gz"), expect={200})
    rs = http("GET /?json", req("GET", "/?json"), expect={200})


def g_credentials():
    """Hostile credentials on both protocols: refused, never a 5xx."""
    import base64
    b64 = lambda b: base64.b64encode(b).decode()
    for v in ("Basic " + "A" * 5000, "Basic " + b64(b"a" * 300 + b":" +
                                                    b"b" * 600),
              "Basic " + b64(b"\x1b[2J\x07:x"), "Basic ====", "Basic",
              "Basic " + b64(b"al\x00ice:pw"), "Basic " + b64(b"nocolon"),
              "Basic " + b64(b"alice:wrong") + "=====x", "Digest x",
              "Basic " + b64(b"\xff\xfe:\x80"), "Basic " + b64(b":")):
        http("Authorization: %s" % v[:40],
             req("PUT", "/sub/HOSTILE-auth", "Authorization: %s\r\n" % v,
                 b"x"), methods=("PUT",), expect={401})
    w = Wharf("AUTH")
    for line, ok in (("AUTH " + "%1B" * 300 + " x", {501}),
                     ("AUTH a " + "b" * 3000, {501}),
                     ("AUTH %1B[2J%07 x", {530}), ("AUTH alice%00 x", {501}),
                     ("AUTH %FF%FE %80", {530}), ("AUTH alice", {501}),
                     ("PUT HOSTILE-auth size=1", {554})):
        wexpect(w, line, ok, payload=b"x")
    w.close()


GROUPS = {
    "special-fifo-device": lambda: g_special(("fifo", "device")),
    "special-socket": lambda: g_special(("socket",)),
    "credentials": g_credentials,
    "tar": g_tar,
    "http-read": g_http_read,
    "http-write": g_http_write,
    "http-multipart-names": g_http_multipart_names,
    "http-headers": g_http_headers,
    "smuggling": g_smuggling,
    "http-limits": g_http_limits,
    "ranges": g_ranges,
    "wharf-read": g_wharf_read,
    "wharf-write": g_wharf_write,
    "wharf-links": g_wharf_links,
    "wharf-lines": g_wharf_lines,
    "wharf-chunks": g_wharf_chunks,
    "max-upload": g_maxupload,
    "max-upload-form-cl": g_maxupload_form_cl,
    "names-listing": g_names_listing,
    "names-page-controls": g_names_page_controls,
    "names-traffic": g_names_traffic,
}


def main(argv):
    if argv[1] == "fixture":
        fixture(argv[2])
        return 0
    if argv[1] == "snapshot":
        snapshot(argv[2])
        return 0
    for g in argv[1:]:
        try:
            GROUPS[g]()
        except (OSError, EOFError) as e:
            fail("%s: %s: %s" % (g, type(e).__name__, e))
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
