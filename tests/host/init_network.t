#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# init sets up the network at boot (app/init/network.c, rtnl.c): each case
# runs in a fresh network namespace the test makes for itself (unshare(2)
# of this process, which init and the `ip` checks then share; the host's
# interfaces are never touched), with veth pairs for NICs:
#   static    loopback up; IPv4 and IPv6 addresses (usable at once, not
#             tentative), both default routes and the MTU from network.conf;
#             a bad line reported as file:line and the next ones applied; a
#             missing interface logged and not waited for; one line logged
#             per interface
#   carrier   the other end of the cable down: init waits CARRIER_TIMEOUT s
#             (measured), says so and configures anyway; the other end
#             coming up during the wait ends it at once (measured)
#   cmdline   tern.ip=, tern.gw=, tern.mtu= replace the file's settings; a
#             bad word is reported and the file's settings stay; tern.ip=dhcp
#             with no network.conf starts udhcpc as the service dhcp-eth0
#   nothing   no network.conf, no NIC: loopback up, no warning, no wait
# Each init is then powered off with SIGUSR2 and must exit 0.
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from initns import (READY, Init, InitError, Tap, config_value,  # noqa: E402
                    require_host, skip_all, until)

require_host()
if not shutil.which("ip"):
    skip_all("ip (iproute2) is not installed")
CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
CARRIER_TIMEOUT = int(config_value("NETWORK_CARRIER_TIMEOUT", "5"))
SLACK = 1.0  # seconds a bounded wait may overrun
CONF = "/etc/tern/network.conf"


def new_netns():
    """Move this process, and what it starts from now on, to a fresh
    network namespace (the last one goes away with its last process)."""
    if libc.unshare(CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "unshare(CLONE_NEWNET): " + os.strerror(err))


def run(*argv):
    return subprocess.run(argv, capture_output=True, text=True, timeout=5,
                          check=True).stdout


def ip(*args):
    return json.loads(run("ip", "-j", *args) or "[]")


def veth(name, peer_up=True):
    """A NIC called name whose cable ends in name-p, up or down."""
    run("ip", "link", "add", name, "type", "veth", "peer", "name", name + "-p")
    if peer_up:
        run("ip", "link", "set", name + "-p", "up")


def link(name):
    return ip("link", "show", "dev", name)[0]


def addrs(name, tentative=False):
    """Addresses on name as ADDRESS/PREFIX, link-local ones left out."""
    return sorted("%s/%d" % (a["local"], a["prefixlen"])
                  for a in ip("addr", "show", "dev", name)[0]["addr_info"]
                  if a.get("scope") != "link" and (not tentative or a.get("tentative")))


def default_routes(family):
    return [(r.get("gateway"), r.get("dev"))
            for r in ip("-%d" % family, "route", "show", "default")]


def boot(t, cmdline="", conf=None, timeout=3):
    """A started init with network.conf conf (None: no file), at its ready
    line; None (having failed a test) if it did not get there."""
    init = Init(cmdline=cmdline, net=False)
    init.services()
    if conf is not None:
        init.write(CONF, conf)
    try:
        init.start()
        init.expect(READY, timeout)
    except InitError as e:
        t.ok(False, "init boots to its ready line", e)
        init.close()
        return None
    return init


def poweroff(t, init, what):
    init.signal(signal.SIGUSR2)
    st = init.wait_exit(10)
    t.ok(st == 0, "%s: SIGUSR2, init exits 0" % what, "status %r%s" % (st, init.tail()))
    init.close()


def problems(init):
    return [text for _, text in init.out if "warning" in text or "error" in text]


def case_static(t):
    new_netns()
    veth("eth0")
    veth("eth1")
    init = boot(t, conf="\n".join([
        "# eth0: IPv4 and IPv6, both default routes",
        "eth0 static 192.0.2.10/24 2001:db8::10/64 gw 192.0.2.1 gw 2001:db8::1 mtu 1400",
        "",
        "eth1 static 203.0.113.5/24 gw 203.0.113.1",
        "eth1 up mtu 9000",
        "eth0 static 198.51.100.10/24",
        "eth9 up",
    ]) + "\n")
    if not init:
        return
    ready = init.matches(READY)[0][1] - init.started
    t.ok(ready < CARRIER_TIMEOUT / 2, "static: ready in %.2f s: no wait for the "
         "missing eth9" % ready, init.tail())
    lo = link("lo")
    t.ok("UP" in lo["flags"] and addrs("lo") == ["127.0.0.1/8", "::1/128"],
         "loopback is up with 127.0.0.1 and ::1", "%s %s" % (lo["flags"], addrs("lo")))
    want = ["192.0.2.10/24", "198.51.100.10/24", "2001:db8::10/64"]
    t.ok(addrs("eth0") == want and not addrs("eth0", tentative=True),
         "eth0 has %s, none tentative" % " ".join(want),
         "got %s, tentative %s" % (addrs("eth0"), addrs("eth0", tentative=True)))
    eth0 = link("eth0")
    t.ok("UP" in eth0["flags"] and eth0["mtu"] == 1400, "eth0 is up with MTU 1400",
         "%s mtu %s" % (eth0["flags"], eth0["mtu"]))
    r4, r6 = default_routes(4), default_routes(6)
    t.ok(r4 == [("192.0.2.1", "eth0")] and r6 == [("2001:db8::1", "eth0")],
         "default routes via 192.0.2.1 and 2001:db8::1 on eth0", "%s %s" % (r4, r6))
    bad = init.matches(r"warning: %s:4: second IPv4 gateway" % CONF)
    t.ok(len(bad) == 1, "the bad line 4 is reported as %s:4" % CONF, init.tail())
    eth1 = link("eth1")
    t.ok("UP" in eth1["flags"] and eth1["mtu"] == 9000 and addrs("eth1") == [],
         "line 4 changed nothing, line 5 applied: eth1 up, MTU 9000, no address",
         "%s mtu %s %s" % (eth1["flags"], eth1["mtu"], addrs("eth1")))
    t.ok(init.matches(r"warning: eth9: no such interface; not configured$"),
         "the missing eth9 is logged", init.tail())
    t.ok(init.matches(r"init: eth0: 192\.0\.2\.10/24 2001:db8::10/64 198\.51\.100\.10/24 "
                      r"via 192\.0\.2\.1 2001:db8::1, mtu 1400, carrier up$") and
         init.matches(r"init: eth1: up, mtu 9000, carrier up$"),
         "one line per interface says what it got", init.tail())
    t.ok(len(problems(init)) == 2, "no other warning or error", init.tail())
    poweroff(t, init, "static")


def case_no_carrier(t):
    new_netns()
    veth("eth0", peer_up=False)
    init = boot(t, conf="eth0 static 192.0.2.10/24 gw 192.0.2.1\n",
                timeout=CARRIER_TIMEOUT + 3)
    if not init:
        return
    m = init.matches(r"warning: eth0: no carrier after (\d+) s; configuring anyway$")
    waited = m[0][1] - init.started if m else None
    t.ok(m and int(m[0][0].group(1)) == CARRIER_TIMEOUT and
         CARRIER_TIMEOUT <= waited <= CARRIER_TIMEOUT + SLACK,
         "no carrier: init waits %s s (CARRIER_TIMEOUT %d), says so"
         % ("%.2f" % waited if m else "?", CARRIER_TIMEOUT), init.tail())
    t.ok(addrs("eth0") == ["192.0.2.10/24"] and default_routes(4) == [("192.0.2.1", "eth0")]
         and init.matches(r"eth0: 192\.0\.2\.10/24 via 192\.0\.2\.1, mtu 1500, no carrier$"),
         "and configures eth0 anyway", "%s %s%s" % (addrs("eth0"), default_routes(4),
                                                    init.tail()))
    poweroff(t, init, "no carrier")


def case_carrier_comes(t):
    new_netns()
    veth("eth0", peer_up=False)
    init = Init(net=False)
    init.services()
    init.write(CONF, "eth0 static 192.0.2.10/24\n")
    try:
        init.start()
        # init has brought eth0 up: it is waiting for carrier now
        if not until(lambda: "UP" in link("eth0")["flags"], 3):
            raise InitError("eth0 did not come up" + init.tail())
        time.sleep(0.5)
        up = time.monotonic()
        run("ip", "link", "set", "eth0-p", "up")
        m, seen = init.expect(r"eth0: 192\.0\.2\.10/24, mtu 1500, carrier up$", 3)
        init.expect(READY, 3)
    except InitError as e:
        t.ok(False, "carrier during the wait: init configures eth0", e)
        init.close()
        return
    t.ok(seen - up < 0.5 and not init.matches("no carrier"),
         "carrier during the wait ends it at once (%.3f s after the other end "
         "came up, %.2f s into the wait)" % (seen - up, up - init.started), init.tail())
    poweroff(t, init, "carrier comes")


def case_cmdline(t):
    new_netns()
    veth("eth0")
    init = boot(t, cmdline="console=ttyS0 tern.ip=203.0.113.7/24,2001:db8:7::7/64 "
                "tern.gw=203.0.113.1 tern.mtu=1280",
                conf="eth0 static 192.0.2.10/24 gw 192.0.2.1 mtu 1400\n")
    if not init:
        return
    eth0 = link("eth0")
    t.ok(addrs("eth0") == ["2001:db8:7::7/64", "203.0.113.7/24"] and
         default_routes(4) == [("203.0.113.1", "eth0")] and eth0["mtu"] == 1280,
         "tern.ip=, tern.gw=, tern.mtu= replace the file's address, route and MTU",
         "%s %s mtu %s%s" % (addrs("eth0"), default_routes(4), eth0["mtu"], init.tail()))
    t.ok(not problems(init), "no warning or error", init.tail())
    poweroff(t, init, "cmdline")

    new_netns()
    veth("eth0")
    init = boot(t, cmdline="tern.ip=192.0.2.10 tern.gw=192.0.2.1",
                conf="eth0 static 198.51.100.10/24\n")
    if not init:
        return
    t.ok(init.matches(r"warning: /proc/cmdline: tern\.ip=192\.0\.2\.10: address without "
                      r"/PREFIX; ignoring") and addrs("eth0") == ["198.51.100.10/24"],
         "a bad tern.ip= is reported and the file's settings stay",
         "%s%s" % (addrs("eth0"), init.tail()))
    poweroff(t, init, "bad cmdline")

    new_netns()
    veth("eth0")
    init = boot(t, cmdline="tern.ip=dhcp")
    if not init:
        return
    t.ok(init.matches(r"init: eth0: dhcp \(udhcpc\), mtu 1500, carrier up$") and
         init.matches(r"started dhcp-eth0 \(pid \d+\)"),
         "tern.ip=dhcp without network.conf: eth0 up, udhcpc started as dhcp-eth0",
         init.tail())
    poweroff(t, init, "dhcp")


def case_nothing(t):
    new_netns()
    init = boot(t)
    if not init:
        return
    ready = init.matches(READY)[0][1] - init.started
    t.ok("UP" in link("lo")["flags"] and not problems(init) and ready < CARRIER_TIMEOUT / 2,
         "no network.conf, no NIC: loopback up, no warning, ready in %.2f s" % ready,
         init.tail())
    poweroff(t, init, "nothing")


# Root with unshare and ip (require_host and the check above) can make a
# network namespace and a veth pair: if that fails here, it is a failure
# to report, not a reason to skip the 25 tests.
try:
    new_netns()
    veth("probe")
except OSError as e:
    print("Bail out! a network namespace for the test: %s" % e, flush=True)
    sys.exit(1)
except subprocess.CalledProcessError as e:
    print("Bail out! a veth pair for the test (ip link add ... type veth): %s"
          % e.stderr.strip(), flush=True)
    sys.exit(1)
t = Tap(25)
case_static(t)
case_no_carrier(t)
case_carrier_comes(t)
case_cmdline(t)
case_nothing(t)
t.done()
