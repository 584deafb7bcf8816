"""t/lib/wp.py: a minimal, independent WHARF/1 client for the tests.

It speaks the protocol from man/wharf-protocol.7 with Python's socket and
zlib modules only, so a bug in client/ cannot hide a bug in server/.
Used as a library (import wp) and as a command:

  python3 wp.py PORT get NAME OUTFILE [offset=N] [compress=zlib]
  python3 wp.py PORT put NAME INFILE [chunked] [compress=zlib] [crc=HEX]
                [stop=N]        # stop=N: send N bytes, then drop
  python3 wp.py PORT cmd LINE...  # send lines, print replies to QUIT
"""
import socket
import sys
import zlib


class Conn:
    def __init__(self, port, host="127.0.0.1", timeout=30):
        self.s = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.greeting = self.reply()

    def line(self):
        while b"\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError("connection closed")
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("latin-1")

    def reply(self):
        line = self.line()
        return int(line[:3]), line[4:]

    def exact(self, n):
        # Pieces joined once: appending to one bytes object copied it
        # whole at every recv, and a 32 MiB GET took 17 s of CPU.
        parts, have = [self.buf], len(self.buf)
        while have < n:
            d = self.s.recv(min(1 << 20, max(65536, n - have)))
            if not d:
                raise EOFError("connection closed")
            parts.append(d)
            have += len(d)
        data = b"".join(parts)
        self.buf = data[n:]
        return data[:n]

    def send(self, line):
        self.s.sendall(line.encode("latin-1") + b"\r\n")

    def cmd(self, line):
        self.send(line)
        return self.reply()

    def chunks(self):
        out = []
        while True:
            size = int(self.line())
            if size == 0:
                return b"".join(out)
            out.append(self.exact(size))

    def get(self, name, *opts):
        code, text = self.cmd(" ".join(("GET", name) + opts))
        if code != 150:
            return code, text, None
        f = dict(kv.split("=", 1) for kv in text.split())
        if f.get("compress") == "zlib":
            data = zlib.decompress(self.chunks())
        else:
            data = self.exact(int(f["size"]) - int(f["offset"]))
        code, text = self.reply()
        return code, text, data

    def put(self, name, data, *opts, chunked=False, compress=False,
            crc=None, stop=None):
        args = ["PUT", name] + list(opts)
        if compress:
            args.append("compress=zlib")
        elif not chunked:
            args.append("size=%d" % len(data))
        code, text = self.cmd(" ".join(args))
        if code != 151:
            return code, text
        payload = data
        if stop is not None:
            self.s.sendall(payload[:stop])
            self.s.close()
            return None, None
        if compress:
            payload = zlib.compress(data)
        if compress or chunked:
            for i in range(0, len(payload), 65536):
                part = payload[i:i + 65536]
                self.s.sendall(b"%d\r\n" % len(part) + part)
            self.s.sendall(b"0\r\n")
        else:
            self.s.sendall(payload)
        whole = crc if crc is not None else "%08x" % zlib.crc32(data)
        self.send("CRC32 " + whole)
        return self.reply()

    def close(self):
        try:
            self.send("QUIT")
            self.reply()
        except (OSError, EOFError):
            pass
        self.s.close()


def main(argv):
    port, verb = int(argv[1]), argv[2]
    c = Conn(port)
    if verb == "get":
        code, text, data = c.get(argv[3], *argv[5:])
        if data is not None:
            with open(argv[4], "wb") as f:
                f.write(data)
        print(code, text)
        c.close()
        return 0 if code == 226 else 1
    if verb == "put":
        opts, kw = [], {}
        for a in argv[5:]:
            if a == "chunked":
                kw["chunked"] = True
            elif a == "compress=zlib":
                kw["compress"] = True
            elif a.startswith("crc="):
                kw["crc"] = a[4:]
            elif a.startswith("stop="):
                kw["stop"] = int(a[5:])
            else:
                opts.append(a)
        with open(argv[4], "rb") as f:
            data = f.read()
        code, text = c.put(argv[3], data, *opts, **kw)
        if code is not None:
            print(code, text)
            c.close()
        return 0 if code in (226, None) else 1
    if verb == "cmd":
        for line in argv[3:]:
            c.send(line)
            code, text = c.reply()
            print(code, text)
            if code == 150:
                # entry lines until the closing reply line
                while True:
                    entry = c.line()
                    print(entry)
                    if entry[:1].isdigit():
                        break
        c.close()
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
