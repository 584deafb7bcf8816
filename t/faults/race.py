"""t/faults/race.py: many uploads of different content to one name at
once, over both protocols, while readers fetch that name in a loop.

  python3 race.py WPORT HPORT NAME OLDFILE NHTTP NWHARF SIZE

OLDFILE holds the bytes NAME has in the store before the race.  NHTTP
HTTP PUTs and NWHARF WHARF/1 PUTs of SIZE bytes each (all different) are
released together, each paced in 64 KiB pieces 5 ms apart so that they
overlap; two HTTP and two WHARF/1 readers GET NAME until every upload has
answered, then twice more.  Checks:

  - every upload succeeded (201/204, 226);
  - every read was whole and is, byte for byte (sha256), either the old
    file or one of the uploads;
  - the name ends holding one of the uploads, over both protocols.

Prints the counts; "FAIL: ..." and exit status 1 on a violation.
"""
import hashlib
import sys
import threading

import faultlib as fl
import wp


def sha(b):
    return hashlib.sha256(b).hexdigest()


def main(argv):
    wport, hport, name = int(argv[1]), int(argv[2]), argv[3]
    with open(argv[4], "rb") as f:
        old = sha(f.read())
    nhttp, nwharf, size = int(argv[5]), int(argv[6]), int(argv[7])
    jobs = [("put", 100 + i) for i in range(nhttp)] + \
           [("wharf", 200 + i) for i in range(nwharf)]
    payloads = {seed: fl.Payload(seed, size) for _, seed in jobs}
    news = {p.sha256(): seed for seed, p in payloads.items()}
    codes, reads, errors = {}, [], []
    lock = threading.Lock()
    go = threading.Barrier(len(jobs) + 1)
    done = threading.Event()

    def uploader(proto, seed):
        go.wait()
        try:
            code = fl.upload(proto, wport, hport, name, payloads[seed],
                             fl.Pacer(gap=0.005))
        except Exception as e:  # noqa: BLE001 - reported below
            code = "%s: %s" % (type(e).__name__, e)
        with lock:
            codes[seed] = (proto, code)

    def reader(proto):
        extra = 2
        c = wp.Conn(wport) if proto == "wharf" else None
        while extra > 0:
            if done.is_set():
                extra -= 1
            try:
                if proto == "wharf":
                    code, text, data = c.get(name)
                    ok = code == 226 and data is not None
                else:
                    code, data = fl.http_get(hport, "/" + name)
                    ok = code == 200
            except Exception as e:  # noqa: BLE001 - reported below
                with lock:
                    errors.append("%s read: %s: %s" % (proto,
                                                       type(e).__name__, e))
                return
            with lock:
                if not ok:
                    errors.append("%s read: %s" % (proto, code))
                else:
                    reads.append((proto, sha(data), len(data)))
        if c:
            c.close()

    readers = [threading.Thread(target=reader, args=(p,))
               for p in ("put", "put", "wharf", "wharf")]
    for t in readers:
        t.start()
    ups = [threading.Thread(target=uploader, args=j) for j in jobs]
    for t in ups:
        t.start()
    go.wait()
    for t in ups:
        t.join(60)
    done.set()
    for t in readers:
        t.join(60)

    bad = [(s, pc) for s, pc in codes.items()
           if pc[1] not in ((201, 204) if pc[0] == "put" else (226,))]
    if len(codes) != len(jobs) or bad:
        print("FAIL: uploads that did not succeed: %s" % bad)
        return 1
    if errors:
        print("FAIL: reads that failed: %s" % errors[:5])
        return 1
    torn = [r for r in reads if r[1] != old and r[1] not in news]
    if torn:
        print("FAIL: %d of %d reads are neither the old file nor one upload"
              " (e.g. %s read %d bytes)" % (len(torn), len(reads),
                                             torn[0][0], torn[0][2]))
        return 1
    code, body = fl.http_get(hport, "/" + name)
    wcode, wdata = fl.wharf_get(wport, name)
    if code != 200 or sha(body) not in news or wcode != 226 or \
            sha(wdata) != sha(body):
        print("FAIL: the final file is not one of the uploads (HTTP %d, "
              "WHARF/1 %d)" % (code, wcode))
        return 1
    nold = sum(1 for r in reads if r[1] == old)
    seen = len({r[1] for r in reads if r[1] in news})
    print("uploads: %d ok (%d HTTP, %d WHARF/1); reads: %d (%d HTTP, %d "
          "WHARF/1), %d of the old file, the rest of %d different uploads; "
          "final file: upload %d"
          % (len(codes), nhttp, nwharf, len(reads),
             sum(1 for r in reads if r[0] == "put"),
             sum(1 for r in reads if r[0] == "wharf"), nold, seen,
             news[sha(body)]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
