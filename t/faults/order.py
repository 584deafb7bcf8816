"""t/faults/order.py: read an strace -f -y log of wharfd and check that an
upload was durable before its success reply went out.

  python3 order.py TRACE STORE NAME REPLY

For the upload that became STORE/NAME, in the process that did it:
  1. the last write(2) to the temporary .wharf-tmp.X,
  2. fsync(2) of that temporary (returning 0),
  3. the rename of .wharf-tmp.X to NAME (returning 0),
  4. fsync(2) of the directory STORE (returning 0),
  5. the first reply write (write, writev, sendto or sendmsg) whose
     bytes start with REPLY ("226 ", "HTTP/1.1 201")
must come in that order, and no REPLY goes out before step 4.  Prints the
five lines; "FAIL: ..." and exit status 1 otherwise.
"""
import os
import re
import sys

CALL = re.compile(r"^(\d+) +(\w+)\((.*)\) += (-?\d+)")
UNFINISHED = re.compile(r"^(\d+) +(.*) <unfinished \.\.\.>$")
RESUMED = re.compile(r"^(\d+) +<\.\.\. \w+ resumed>(.*)$")


def main(argv):
    trace, store, name, reply = argv[1:5]
    store = os.path.realpath(store)
    calls, pending = [], {}
    with open(trace, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            # Calls interrupted by another process's line come in two.
            m = UNFINISHED.match(line)
            if m:
                pending[m.group(1)] = m.group(1) + " " + m.group(2)
                continue
            m = RESUMED.match(line)
            if m and m.group(1) in pending:
                line = pending.pop(m.group(1)) + m.group(2)
            m = CALL.match(line)
            if m:
                calls.append((m.group(1), m.group(2), m.group(3),
                              int(m.group(4)), line.strip()))

    def find(pred, start=0, pid=None):
        for i in range(start, len(calls)):
            c = calls[i]
            if (pid is None or c[0] == pid) and pred(c):
                return i
        return None

    ren = find(lambda c: c[1] in ("rename", "renameat", "renameat2") and
               c[3] == 0 and re.search(r'"(\.wharf-tmp\.[0-9a-f]+)".*"%s"'
                                       % re.escape(name), c[2]))
    if ren is None:
        print("FAIL: no rename of a temporary to %s in %s" % (name, trace))
        return 1
    pid = calls[ren][0]
    tmp = re.search(r'"(\.wharf-tmp\.[0-9a-f]+)"', calls[ren][2]).group(1)
    tmpfd = "<%s/%s>" % (store, tmp)
    writes = [i for i in range(ren) if calls[i][0] == pid and
              calls[i][1] == "write" and tmpfd in calls[i][2].split(",")[0]]
    fsync_file = find(lambda c: c[1] in ("fsync", "fdatasync") and
                      tmpfd in c[2] and c[3] == 0, 0, pid)
    fsync_dir = find(lambda c: c[1] in ("fsync", "fdatasync") and
                     c[2].endswith("<%s>" % store) and c[3] == 0, ren, pid)
    first = writes[0] if writes else ren

    def is_reply(c):
        return c[1] in ("write", "writev", "sendto", "sendmsg") and \
            ('"%s' % reply) in c[2]

    early = find(is_reply, first, pid)
    steps = [("last write to %s" % tmp, writes[-1] if writes else None),
             ("fsync of %s" % tmp, fsync_file),
             ("rename to %s" % name, ren),
             ("fsync of the directory", fsync_dir),
             ("reply %s" % reply, early)]
    for what, i in steps:
        if i is None:
            print("FAIL: %s: not found (process %s)" % (what, pid))
            return 1
    idx = [i for _, i in steps]
    if idx != sorted(idx) or len(set(idx)) != len(idx):
        for what, i in steps:
            print("  %6d  %s" % (i, calls[i][4][:150]))
        print("FAIL: out of order for %s" % name)
        return 1
    for what, i in steps:
        print("%6d  %-28s %s" % (i, what, calls[i][4][:110]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
