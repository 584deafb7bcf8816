"""t/faults/killmid.py: kill -9 the child serving an upload when its
temporary file holds a given fraction of the upload, then check what the
store shows.

  python3 killmid.py PROTO MASTER STORE WPORT HPORT SIZE PCT...

PROTO is wharf (WHARF/1 PUT), put (HTTP PUT) or post (multipart POST).
For each PCT, an upload of SIZE bytes to kill-PROTO-PCT.bin is paced (256 MiB/s)
up to PCT% and then only trickles; the child that holds the store's
.wharf-tmp.* open is found through /proc/PID/fd and killed with SIGKILL
as soon as that file reaches PCT% of SIZE.  PCTs of 50 and more replace
an existing file; lower ones upload a new name.  Then:

  - the client saw its connection die, not a success reply;
  - a new child exists within 1 s of the kill;
  - the name is absent (404, 550) or the old file is byte-identical,
    over HTTP and over WHARF/1;
  - no hidden name shows in WHARF/1 LIST, in HTTP ?json or in the HTML
    listing, and the temporary itself cannot be downloaded (404, 550);
  - the master has removed the temporary from the disk;
  - the next upload of the same name over the same protocol succeeds and
    its bytes read back the same.

One line per PCT on success; "FAIL: ..." and exit status 1 otherwise.
"""
import os
import signal
import sys
import threading
import time

import faultlib as fl

OK_CODES = {"wharf": (226,), "put": (201, 204), "post": (201,)}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def kill_at(master, store, threshold, deadline):
    """Poll the children until one holds a temporary of at least threshold
    bytes; SIGKILL it.  Returns (pid, temporary name, its size)."""
    while time.monotonic() < deadline:
        for pid in fl.children(master):
            for path, name in fl.open_temporaries(pid, store):
                try:
                    size = os.stat(path).st_size
                except OSError:
                    continue
                if size >= threshold:
                    os.kill(pid, signal.SIGKILL)
                    return pid, name, size
        time.sleep(0.002)
    return None, None, None


def one(proto, master, store, wport, hport, size, pct):
    name = "kill-%s-%d.bin" % (proto, pct)
    old = None
    if pct >= 50:
        old = fl.Payload(9000 + pct, 300 * 1024 + pct).bytes()
        with open(os.path.join(store, name), "wb") as f:
            f.write(old)
    threshold = size * pct // 100
    payload = fl.Payload(pct, size)
    result = {}

    def sender():
        try:
            result["code"] = fl.upload(proto, wport, hport, name, payload,
                                       fl.Pacer(rate=256 << 20,
                                                stall_at=threshold))
        except fl.Broken as e:
            result["broken"] = str(e)
        except Exception as e:  # noqa: BLE001 - reported below
            result["error"] = "%s: %s" % (type(e).__name__, e)

    before = fl.children(master)
    t = threading.Thread(target=sender)
    t.start()
    pid, tmp, at = kill_at(master, store, threshold, time.monotonic() + 20)
    killed = time.monotonic()
    if pid is None:
        t.join(30)
        fail("%d%%: no child ever held a temporary of %d bytes (client: %s)"
             % (pct, threshold, result))
    if pid not in before:
        before = fl.children(master) | {pid}
    replaced = None
    while time.monotonic() - killed < 3:
        now = fl.children(master)
        if pid not in now and now - before:
            replaced = time.monotonic() - killed
            break
        time.sleep(0.005)
    t.join(30)
    if t.is_alive():
        fail("%d%%: the client still runs 30 s after the kill" % pct)
    if "broken" not in result:
        fail("%d%%: the client did not see its connection die: %s"
             % (pct, result))
    if not threshold <= at < size:
        fail("%d%%: killed at %d of %d bytes" % (pct, at, size))
    if replaced is None or replaced > 1.0:
        fail("%d%%: no new child within 1 s of the kill (%s)"
             % (pct, replaced))

    # The name: old bytes or nothing, over both protocols.
    code, body = fl.http_get(hport, "/" + name)
    wcode, wdata = fl.wharf_get(wport, name)
    if old is None:
        if code != 404 or wcode != 550:
            fail("%d%%: new name visible after the kill: HTTP %d, WHARF/1 %d"
                 % (pct, code, wcode))
    elif code != 200 or body != old or wcode != 226 or wdata != old:
        fail("%d%%: old file changed: HTTP %d (%d bytes), WHARF/1 %d (%s "
             "bytes), expected %d bytes" % (pct, code, len(body), wcode,
                                            None if wdata is None else
                                            len(wdata), len(old)))

    # No temporary in any listing, nor downloadable.
    lcode, names = fl.wharf_list(wport)
    hidden = [n for n in names if n.startswith(fl.HIDDEN_PREFIX)]
    if lcode != 150 or hidden:
        fail("%d%%: WHARF/1 LIST %d shows %s" % (pct, lcode, hidden))
    code, body = fl.http_get(hport, "/?json")
    if code != 200 or fl.HIDDEN_PREFIX.encode() in body:
        fail("%d%%: ?json %d shows a hidden name: %r" % (pct, code, body))
    code, body = fl.http_get(hport, "/")
    if code != 200 or fl.TMP_PREFIX.encode() in body:
        fail("%d%%: the HTML listing (%d) shows a temporary" % (pct, code))
    code, _ = fl.http_get(hport, "/" + tmp)
    wcode, _ = fl.wharf_get(wport, tmp)
    if code != 404 or wcode != 550:
        fail("%d%%: the temporary %s can be fetched: HTTP %d, WHARF/1 %d"
             % (pct, tmp, code, wcode))

    # The next upload of that name works.
    nxt = fl.Payload(7000 + pct, 200 * 1024 + pct)
    code = fl.upload(proto, wport, hport, name, nxt)
    if code not in OK_CODES[proto]:
        fail("%d%%: the next upload got %d" % (pct, code))
    got = fl.http_get(hport, "/" + name)[1]
    if got != nxt.bytes():
        fail("%d%%: the next upload reads back %d bytes, not its own"
             % (pct, len(got)))
    # The master removed the dead child's temporary: no space leaks.
    if os.path.exists(os.path.join(store, tmp)):
        fail("%d%%: the temporary %s is still on disk" % (pct, tmp))
    print("%d%%: killed child %d at %d/%d bytes; new child in %.3f s; %s; "
          "hidden from LIST, ?json, HTML, GET; removed; next upload %d"
          % (pct, pid, at, size, replaced,
             "name absent" if old is None else "old file identical",
             code))


def main(argv):
    proto, master, store = argv[1], int(argv[2]), argv[3]
    wport, hport, size = int(argv[4]), int(argv[5]), int(argv[6])
    for pct in argv[7:]:
        one(proto, master, os.path.realpath(store), wport, hport, size,
            int(pct))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
