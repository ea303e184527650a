# SPDX-License-Identifier: MIT
"""Whether a file was opened or read: an inotify watch on it, for the
escape tests (tests/net/*_escape.t), whose secret beside the root must
never be opened by the server."""
import ctypes
import os
import struct

IN_OPEN, IN_ACCESS, IN_NONBLOCK = 0x20, 0x01, 0o4000
_libc = ctypes.CDLL(None, use_errno=True)


def watch(path):
    """An inotify descriptor that sees every open and read of path."""
    fd = _libc.inotify_init1(IN_NONBLOCK)
    if fd < 0 or _libc.inotify_add_watch(fd, path.encode(), IN_OPEN | IN_ACCESS) < 0:
        raise OSError(ctypes.get_errno(), "inotify on " + path)
    return fd


def events(fd):
    """How many opens and reads fd has seen since the last call."""
    try:
        data = os.read(fd, 65536)
    except BlockingIOError:
        return 0
    n, off = 0, 0
    while off < len(data):
        _, _, _, namelen = struct.unpack_from("iIII", data, off)
        off += 16 + namelen
        n += 1
    return n
