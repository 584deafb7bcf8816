"""t/lib/rseq.py PID: print the address of PID's registered rseq area
(restartable sequences), 0 when it has none. Reads it with ptrace's
PTRACE_GET_RSEQ_CONFIGURATION (Linux 5.13), attaching for a moment with
PTRACE_SEIZE and PTRACE_INTERRUPT; the process runs on. Exit 2 when
this kernel or this user cannot ask.
"""
import ctypes
import os
import struct
import sys

PTRACE_DETACH = 17
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207
PTRACE_GET_RSEQ_CONFIGURATION = 0x420F
PTRACE_EVENT_STOP = 128
WALL = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p,
                        ctypes.c_void_p]


def fail(what):
    e = ctypes.get_errno()
    sys.stderr.write("rseq.py: %s: %s\n" % (what, os.strerror(e)))
    sys.exit(2)


pid = int(sys.argv[1])
if libc.ptrace(PTRACE_SEIZE, pid, None, None) == -1:
    fail("PTRACE_SEIZE")
if libc.ptrace(PTRACE_INTERRUPT, pid, None, None) == -1:
    fail("PTRACE_INTERRUPT")
status = os.waitpid(pid, WALL)[1]
# The first stop may be a signal's delivery rather than the interrupt:
# hand that signal back on detach, or it would be lost.
resend = 0
if os.WIFSTOPPED(status) and status >> 16 != PTRACE_EVENT_STOP:
    resend = os.WSTOPSIG(status)
# struct ptrace_rseq_configuration: u64 pointer, u32 size, signature,
# flags, pad
conf = ctypes.create_string_buffer(24)
n = libc.ptrace(PTRACE_GET_RSEQ_CONFIGURATION, pid, ctypes.c_void_p(24),
                conf)
libc.ptrace(PTRACE_DETACH, pid, None, ctypes.c_void_p(resend))
if n == -1:
    fail("PTRACE_GET_RSEQ_CONFIGURATION")
print(struct.unpack("=QIII", conf.raw[:20])[0])
