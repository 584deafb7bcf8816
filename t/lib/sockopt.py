"""t/lib/sockopt.py PORT PID...: for every TCP socket of the given
processes bound to local PORT, print one line "PID listener|peer VALUE"
with its TCP_NOTSENT_LOWAT (0 when unset: the sysctl applies).
Takes a copy of each descriptor with pidfd_getfd(2) (Linux 5.6), which
needs ptrace rights over the process; the process runs on. Exit 2 when
this kernel or this user cannot.
"""
import ctypes
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
    for pid in map(int, sys.argv[2:]):
        try:
            pidfd = os.pidfd_open(pid)
        except OSError as e:
            print("pidfd_open %d: %s" % (pid, e), file=sys.stderr)
            sys.exit(2)
        fddir = "/proc/%d/fd" % pid
        for name in os.listdir(fddir):
            try:
                if not os.readlink("%s/%s" % (fddir, name)).startswith(
                        "socket:"):
                    continue
                mine = getfd(pidfd, int(name))
            except FileNotFoundError:
                continue
            except OSError as e:
                print("pidfd_getfd %d %s: %s" % (pid, name, e),
                      file=sys.stderr)
                sys.exit(2)
            s = socket.socket(fileno=mine)
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
