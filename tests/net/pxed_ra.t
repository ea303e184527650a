#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# pxed answers IPv6 router solicitations with an advertisement of no router
# (app/pxed/ra.h: it ends iPXE's wait for an IPv6 router), asked by rdisc6
# (Debian's ndisc6), a client nobody here wrote:
#   - server mode: an answer from pxed's link-local address with router
#     lifetime 0, neither M nor O, no prefix; the client's kernel, which
#     takes router advertisements, gets no default route and no address;
#   - proxy mode (after SIGHUP): no answer, counted as not answered;
#     `router-advert on` in proxy mode: answered; `router-advert off` in
#     server mode: not;
#   - a solicitation with hop limit 64 (from off the link, RFC 4861 6.1.1)
#     is not answered and is counted by its cause.
import os
import re
import signal
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from dhcp_ns import PxedLab, require  # noqa: E402
from netns import Tap, skip_all  # noqa: E402

require()
if os.system("command -v rdisc6 >/dev/null 2>&1") != 0:
    skip_all("rdisc6 is not installed (ndisc6, toolchain/host-packages)")
if not os.path.exists("/proc/sys/net/ipv6"):
    skip_all("the host kernel has no IPv6")

SERVER = "mode server\npool 192.0.2.100 192.0.2.109\narch 0 file undionly.kpxe\n"
PROXY = "mode proxy\narch 0 file undionly.kpxe\n"
t = Tap(9)


def link_local(ns, timeout=10):
    """ns's link-local address once duplicate address detection is done."""
    deadline = time.monotonic() + timeout
    while True:
        out = ns.run(["ip", "-6", "addr", "show", "dev", ns.dev, "scope", "link"]).stdout
        m = re.search(r"inet6 (fe80::[0-9a-f:]+)/64 scope link(?! tentative)(.*)", out)
        if m and "tentative" not in m.group(2):
            return m.group(1)
        if time.monotonic() > deadline:
            return None
        time.sleep(0.1)


def solicit(lab):
    """rdisc6 -1: one solicitation, up to 3 tries 1 s apart: its output, or
    None when nothing answered."""
    r = lab.cli.run(["rdisc6", "-1", "-r", "3", "-w", "1000", lab.cli.dev], timeout=15)
    return r.stdout if r.returncode == 0 and "Router lifetime" in r.stdout else None


def ra_counts(lab):
    """SIGUSR1's router solicitation line: (received, answered, not)."""
    for key, n in lab.stats().items():
        m = re.match(r"router solicitations: (\d+) answered, (\d+) not \(router-advert off\)",
                     key)
        if m:
            return n, int(m.group(1)), int(m.group(2))
    return 0, 0, 0


def reload(lab, conf):
    mark = len(lab.pxed.lines)
    lab.write(lab.conf, conf)
    lab.pxed.signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if any("reloaded" in text for _, text in lab.pxed.lines[mark:]):
            return True
        time.sleep(0.05)
    return False


with PxedLab(t, SERVER) as lab:
    lab.cli.run(["sysctl", "-qw", "net.ipv6.conf.%s.accept_ra=1" % lab.cli.dev])
    srv_ll, cli_ll = link_local(lab.srv), link_local(lab.cli)
    if not srv_ll or not cli_ll:
        t.bail("no link-local addresses on the veth pair")

    out = solicit(lab)
    t.ok(out and re.search(r"from %s\b" % re.escape(srv_ll), out)
         and re.search(r"Router lifetime\s*:\s*0 \(0x00000000\) seconds", out)
         and re.search(r"Stateful address conf\.\s*:\s*No", out)
         and re.search(r"Stateful other conf\.\s*:\s*No", out)
         and "Prefix" not in out,
         "server mode: rdisc6 gets an advertisement from pxed's link-local address: lifetime 0, "
         "no M, no O, no prefix", out or lab.pxed.tail())
    try:
        lab.pxed.expect(r"router solicitation from %s on %s: advertisement sent"
                        % (re.escape(cli_ll), lab.srv.dev))
        logged = True
    except Exception:
        logged = False
    t.ok(logged, "pxed -v logs the solicitation it answered", lab.pxed.tail())
    routes = lab.cli.run(["ip", "-6", "route", "show", "default"]).stdout
    addrs = lab.cli.run(["ip", "-6", "addr", "show", "dev", lab.cli.dev, "scope", "global"]).stdout
    t.ok(routes.strip() == "" and "inet6" in addrs and "dynamic" not in addrs,
         "the client's kernel (accept_ra 1) took neither a default route nor an address "
         "(it has only the test's static one)",
         routes + addrs)

    # (The client's kernel solicits too after its link comes up: counts
    # are compared before and after.)
    n0, a0, x0 = ra_counts(lab)
    t.ok(reload(lab, PROXY) and solicit(lab) is None,
         "proxy mode: a solicitation gets no answer", lab.pxed.tail())
    n1, a1, x1 = ra_counts(lab)
    t.ok(a0 >= 1 and a1 == a0 and x1 - x0 >= 3 and n1 == a1 + x1,
         "SIGUSR1 counts the solicitations: the answered one, and rdisc6's 3 tries in proxy "
         "mode as not answered", "before %r after %r" % ((n0, a0, x0), (n1, a1, x1)))

    t.ok(reload(lab, PROXY + "router-advert on\n") and solicit(lab),
         "proxy mode with router-advert on: answered", lab.pxed.tail())
    t.ok(reload(lab, SERVER + "router-advert off\n") and solicit(lab) is None,
         "server mode with router-advert off: not answered", lab.pxed.tail())

    # A solicitation from off the link: hop limit 64.
    reload(lab, SERVER)
    r = lab.cli.run([sys.executable, "-c", r"""
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 64)
idx = socket.if_nametoindex(sys.argv[1])
s.sendto(bytes([133, 0, 0, 0, 0, 0, 0, 0]), ("ff02::2", 0, 0, idx))
""", lab.cli.dev])
    time.sleep(0.5)
    st = lab.stats()
    t.ok(r.returncode == 0 and st.get("bad router solicitations: hop limit not 255 "
                                      "(sent from off the link)") == 1,
         "a solicitation with hop limit 64 is counted as from off the link",
         r.stderr + repr(st))
    t.ok(re.search(r"bad router solicitation from %s on %s: hop limit not 255"
                   % (re.escape(cli_ll), lab.srv.dev), "\n".join(x for _, x in lab.pxed.lines)),
         "pxed -v says why it was not answered", lab.pxed.tail())
t.done()
