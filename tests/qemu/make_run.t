#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# `make run`, as a newcomer types it: prints the forwarded TFTP port, boots
# the image with the serial console on stdio (here a pipe), takes extra
# command-line words from CMDLINE=, and ends when the guest powers off.
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guest import Guest, GuestError, Tap, auto_mk  # noqa: E402

conf = auto_mk()
top = os.environ["TERN_TOP"]
env_make = ["make", "-C", top, "O=" + os.environ["TERN_OUT"],
            "KCONFIG_CONFIG=" + os.environ["TERN_CONFIG"],
            "DL_DIR=" + os.environ["TERN_DL"]]
for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
    os.environ.pop(k, None)

t = Tap(4)
with Guest(argv=env_make + ["run", "CMDLINE=tern.debug_shell=1 tern.hostname=run-test"],
           debug_shell=False) as g:
    try:
        port = conf["CONFIG_RUN_TFTP_PORT"]
        m = g.expect(rb"TFTP\) is host 127\.0\.0\.1:(\d+)", 120)
        t.ok(m.group(1).decode() == port, "announces the forwarded TFTP port %s" % port)
        g.wait_ready(120)
        t.ok(True, "boots to the ready line")
        st, out = g.sh("hostname")
        # make run has a network: the DHCP client's lines may come between.
        t.ok(re.search(r"(?m)^run-test\r?$", out), "CMDLINE words reach the kernel command line",
             "hostname %r" % out)
    except GuestError as e:
        t.bail(e)
    g.send("poweroff\n")
    status = g.wait_exit(30)
    t.ok(status == 0, "poweroff ends make run with status 0", "status %r\n%s" % (status, g.tail()))
t.done()
