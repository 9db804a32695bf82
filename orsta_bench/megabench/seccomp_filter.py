"""The seccomp filter bwrap loads for model-written programs (`bwrap --seccomp FD`).

Compiled with libseccomp (the C library; Debian's libseccomp2, a dependency of apt and systemd)
through ctypes, because its Python bindings are not on PyPI for our interpreters. Everything is
allowed except what a scored program never needs and a sandbox escape usually does: new
namespaces (unshare, setns, clone with CLONE_NEW* flags; clone3, whose flags a filter cannot
read, answers ENOSYS so libc falls back to clone), mounts, ptrace and cross-process memory access,
BPF, perf, userfaultfd, io_uring, keyrings, modules, kexec and other host administration. Calls of
a foreign architecture (the x86 int 0x80 gate, x32) kill the process (libseccomp's default).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import tempfile

_ALLOW = 0x7FFF0000


def _errno_action(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)


DENIED = (
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "ptrace", "process_vm_readv",
    "process_vm_writev", "pidfd_getfd", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup",
    "io_uring_enter", "io_uring_register", "keyctl", "add_key", "request_key", "kexec_load",
    "kexec_file_load", "init_module", "finit_module", "delete_module", "acct", "swapon", "swapoff",
    "reboot", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname",
    "setdomainname", "iopl", "ioperm", "syslog", "quotactl", "open_by_handle_at",
    "name_to_handle_at", "lookup_dcookie", "vhangup",
)
NAMESPACE_FLAGS = (0x00000080, 0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000,
                   0x20000000, 0x40000000)  # CLONE_NEWTIME, NS, CGROUP, UTS, IPC, USER, PID, NET
_MASKED_EQ = 7


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int),
                ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


@functools.lru_cache(maxsize=1)
def compiled_filter() -> bytes | None:
    """The filter as BPF bytes for bwrap, or None where libseccomp is not installed."""
    name = ctypes.util.find_library("seccomp")
    if name is None:
        return None
    lib = ctypes.CDLL(name)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int,
                                           ctypes.c_uint, ctypes.POINTER(_ArgCmp)]
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    context = lib.seccomp_init(_ALLOW)
    if not context:
        raise OSError("seccomp_init failed")
    try:
        def deny(syscall: str, action: int, condition: _ArgCmp | None = None) -> None:
            number = lib.seccomp_syscall_resolve_name(syscall.encode())
            if number < 0:  # not a syscall on this architecture
                return
            count, array = (1, ctypes.pointer(condition)) if condition else (0, None)
            if lib.seccomp_rule_add_array(context, action, number, count, array) != 0:
                raise OSError(f"seccomp: could not add a rule for {syscall}")

        for syscall in DENIED:
            deny(syscall, _errno_action(errno.EPERM))
        deny("clone3", _errno_action(errno.ENOSYS))
        for flag in NAMESPACE_FLAGS:
            deny("clone", _errno_action(errno.EPERM), _ArgCmp(0, _MASKED_EQ, flag, flag))
        with tempfile.TemporaryFile() as out:
            if lib.seccomp_export_bpf(context, out.fileno()) != 0:
                raise OSError("seccomp_export_bpf failed")
            out.seek(0)
            return out.read()
    finally:
        lib.seccomp_release(context)

