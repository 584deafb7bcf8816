"""t/lib/sockopt.py PORT PID...: for every TCP socket of the given
processes bound to local PORT, print one line "PID listener|peer VALUE"
with its TCP_NOTSENT_LOWAT (0 when unset: the sysctl applies).
Takes a copy of each descriptor with pidfd_getfd(2) (Linux 5.6), which
needs ptrace rights over the process; the process runs on. Exit 2 when
this kernel, this Python or this user cannot; a descriptor closed or a
process gone meanwhile is left out.
"""
import ctypes
import errno
import os
import socket
import sys

SYS_PIDFD_GETFD = 438
TCP_NOTSENT_LOWAT = 25

libc = ctypes.CDLL(None, use_errno=True)


def getfd(pidfd, fd):
    r = libc.syscall(SYS_PIDFD_GETFD, pidfd, fd, 0)
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r


def main():
    port = int(sys.argv[1])
    if not hasattr(os, "pidfd_open"):
        print("this Python has no os.pidfd_open", file=sys.stderr)
        sys.exit(2)
    for pid in map(int, sys.argv[2:]):
        try:
            pidfd = os.pidfd_open(pid)
            names = os.listdir("/proc/%d/fd" % pid)
        except ProcessLookupError:
            continue            # a child that has just left
        except FileNotFoundError:
            continue
        except OSError as e:
            print("pidfd_open %d: %s" % (pid, e), file=sys.stderr)
            sys.exit(2)
        for name in names:
            try:
                if not os.readlink("/proc/%d/fd/%s" % (pid, name)) \
                        .startswith("socket:"):
                    continue
                mine = getfd(pidfd, int(name))
            except OSError as e:
                if e.errno in (errno.EPERM, errno.ENOSYS):
                    print("pidfd_getfd %d %s: %s" % (pid, name, e),
                          file=sys.stderr)
                    sys.exit(2)
                continue        # closed or reused meanwhile
            try:
                s = socket.socket(fileno=mine)
            except OSError:
                os.close(mine)  # no longer a socket
                continue
            try:
                if s.type != socket.SOCK_STREAM or \
                        s.family not in (socket.AF_INET, socket.AF_INET6) \
                        or s.getsockname()[1] != port:
                    continue
                try:
                    s.getpeername()
                    kind = "peer"
                except OSError:
                    kind = "listener"
                print(pid, kind, s.getsockopt(socket.IPPROTO_TCP,
                                              TCP_NOTSENT_LOWAT))
            finally:
                s.close()
        os.close(pidfd)


main()
