# SPDX-License-Identifier: MIT
r"""clients.py -- command lines of the real TFTP clients the tests use,
each installed from Debian by toolchain/host-packages.  Checked on
Debian 12 (tftp-hpa 5.2, atftp 0.8.0, curl 7.88.1, BusyBox 1.35.0):

  tftp-hpa  tftp [-6] -m binary|ascii HOST PORT -c get|put REMOTE LOCAL
            (-l: literal, a ':' in REMOTE is no host).  No options at all:
            blksize 512, no tsize, lockstep.
  atftp     atftp --option "blksize N" --option "windowsize N"
            --option "tsize enable" --option "timeout N" -g|-p -r REMOTE
            -l LOCAL HOST PORT.  Octet only from the command line.  Its
            "tsize enable" sends the word: an RRQ carries tsize=enable,
            not tsize=0 (a WRQ carries the size); "tsize 0" sends 0.
  curl      curl -sS --tftp-blksize N -o LOCAL tftp://HOST:PORT/REMOTE,
            [HOST] for IPv6, REMOTE;mode=netascii for netascii, which curl
            writes as it came (CR LF, CR NUL: no decoding).  Always asks
            tsize 0 and timeout; --tftp-no-options asks nothing.
  busybox   busybox tftp -g|-p -b N -r REMOTE -l LOCAL HOST PORT.  Sends
            blksize only with -b; tsize with it.

Each function returns an argv for Ns.run().
"""


def url_host(host):
    return "[%s]" % host if ":" in host else host


def tftp_hpa(op, host, remote, local, port=69, mode="binary"):
    return ["tftp"] + (["-6"] if ":" in host else []) + \
        ["-l", "-m", mode, host, str(port), "-c", op, remote if op == "get" else local,
         local if op == "get" else remote]


def atftp(op, host, remote, local, port=69, blksize=None, windowsize=None, tsize=True,
          timeout=None):
    argv = ["atftp"]
    for name, v in (("blksize", blksize), ("windowsize", windowsize), ("timeout", timeout)):
        if v is not None:
            argv += ["--option", "%s %s" % (name, v)]
    if tsize:
        argv += ["--option", "tsize enable"]
    return argv + ["-g" if op == "get" else "-p", "-r", remote, "-l", local, host, str(port)]


def curl(host, remote, local, port=69, blksize=None, mode=None, options=True):
    argv = ["curl", "-sS", "--max-time", "60"]
    if blksize is not None:
        argv += ["--tftp-blksize", str(blksize)]
    if not options:
        argv.append("--tftp-no-options")
    url = "tftp://%s:%d/%s%s" % (url_host(host), port, remote, ";mode=" + mode if mode else "")
    return argv + ["-o", local, url]


def busybox(op, host, remote, local, port=69, blksize=None):
    argv = ["busybox", "tftp", "-g" if op == "get" else "-p"]
    if blksize is not None:
        argv += ["-b", str(blksize)]
    return argv + ["-r", remote, "-l", local, host, str(port)]


def get_argv(client, host, remote, local, blksize=None, port=69):
    """A plain octet read of remote into local with client (tftp-hpa,
    atftp, curl, busybox) at blksize (None: the client's default; tftp-hpa
    always 512).  atftp asks no tsize (see above); curl and busybox do."""
    if client == "tftp-hpa":
        return tftp_hpa("get", host, remote, local, port)
    if client == "atftp":
        return atftp("get", host, remote, local, port, blksize=blksize, tsize=False)
    if client == "curl":
        return curl(host, remote, local, port, blksize=blksize)
    if client == "busybox":
        return busybox("get", host, remote, local, port, blksize=blksize)
    raise ValueError(client)


CLIENTS = ("tftp-hpa", "atftp", "curl", "busybox")
