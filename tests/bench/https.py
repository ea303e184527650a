#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""https.py [-r RUNS] [-s MIB] -- httpd's HTTPS against nginx with OpenSSL (Debian's): one
client (curl, --cacert, AES-128-GCM forced on both so that both do the same cipher), one
MIB MiB file (default 256), on two links: loopback inside one network namespace, and a veth
pair between two (192.0.2.1 the servers, 192.0.2.2 the client).  As root; TERN_OUT (or
out/) gives httpd (out/build/app/httpd, the image's binary) and nginx (out/bench/peers/
nginx/usr/sbin/nginx, unpacked by tests/bench/peers.sh; HTTPS_BENCH_NGINX=PATH another).

Both serve the same file with the same lab certificate (ECDSA P-256, app/httpd/tls-lab.sh),
TLS 1.2, as many workers as the machine has cores.  Each server fetches the file once
before the first measured run; then RUNS rounds (default 3), each server once a round, the
order alternating, so that a machine whose load drifts drifts under both alike.  A figure
is the median of its rounds (lowest and highest beside it): curl's MiB/s, and the server's
CPU seconds per GiB (utime + stime of its whole process tree, /proc/PID/stat).  The ratio
httpd / nginx of the medians is the line to read.  A table to stdout and out/bench/https.md.
"""
import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "net", "lib"))
from netns import Daemon, Net, NetError, require_root, tern_out  # noqa: E402

TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
MiB = 1 << 20
CORES = os.cpu_count() or 1
PORTS = {"httpd": 8443, "nginx": 8444}
SUITE = "ECDHE-ECDSA-AES128-GCM-SHA256"
NGINX_CONF = """\
worker_processes {cores};
user root;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on; tcp_nopush on; tcp_nodelay on;
    client_body_temp_path {tmp}/nb; proxy_temp_path {tmp}/np; fastcgi_temp_path {tmp}/nf;
    uwsgi_temp_path {tmp}/nu; scgi_temp_path {tmp}/ns;
    server {{
        listen {port} ssl reuseport;
        ssl_certificate {keys}/cert.pem; ssl_certificate_key {keys}/key.pem;
        ssl_protocols TLSv1.2;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384;
        root {root};
    }}
}}
"""


def binaries():
    httpd = os.path.join(os.environ.get("TERN_APPS") or tern_out("build", "app"), "httpd")
    nginx = os.environ.get("HTTPS_BENCH_NGINX") or tern_out(
        "bench", "peers", "nginx", "usr", "sbin", "nginx")
    for name, path in (("httpd", httpd), ("nginx", nginx)):
        if not os.access(path, os.X_OK):
            sys.exit("https.py: no %s at %s (make; sh tests/bench/peers.sh out/bench/peers)"
                     % (name, path))
    return httpd, nginx


def listening(pid, port):
    for f in ("tcp", "tcp6"):
        try:
            with open("/proc/%d/net/%s" % (pid, f)) as fh:
                for line in fh.readlines()[1:]:
                    x = line.split()
                    if x[3] == "0A" and int(x[1].rsplit(":", 1)[1], 16) == port:
                        return True
        except OSError:
            pass
    return False


def start(ns, name, argv, tmp):
    log = os.path.join(tmp, name + ".stderr")
    d = Daemon(ns, ["sh", "-c", 'exec "$@" >>%s 2>&1' % log, "sh"] + argv, name)
    deadline = time.monotonic() + 10
    while not listening(d.pid, PORTS[name]):
        if not d.running() or time.monotonic() > deadline:
            d.close()
            raise NetError("%s did not start:\n%s" % (name, open(log).read()[-2000:]))
        time.sleep(0.02)
    return d


def fetch(cli, url, ca, size):
    """One download: MiB/s by curl, or an error text."""
    r = cli.run(["curl", "-sS", "--http1.1", "--ciphers", SUITE, "--cacert", ca, "-o",
                 "/dev/null", "-w", "%{http_code} %{size_download} %{speed_download}", url],
                timeout=600)
    f = r.stdout.split()
    if r.returncode != 0 or len(f) != 3 or f[0] != "200" or int(f[1]) != size:
        return None, (r.stdout + r.stderr).strip()
    return float(f[2]) / MiB, ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-r", "--runs", type=int, default=3)
    ap.add_argument("-s", "--size", type=int, default=256, help="MiB")
    a = ap.parse_args()
    require_root()
    httpd, nginx = binaries()
    size = a.size * MiB
    rows, load0 = [], os.getloadavg()
    with Net() as net:
        srv, cli = net.ns("srv"), net.ns("cli")
        net.veth(srv, cli)
        tmp, root, keys = net.tmpdir("https-bench."), net.tmpdir("https-root."), \
            net.tmpdir("https-keys.")
        os.chmod(root, 0o755)
        with open(os.path.join(root, "big.img"), "wb") as f:
            for _ in range(a.size):
                f.write(os.urandom(MiB))
        addr = srv.addr(4)
        subprocess.run(["sh", os.path.join(TOP, "app", "httpd", "tls-lab.sh"), keys, keys,
                        addr, "127.0.0.1"], check=True, capture_output=True)
        ca = os.path.join(keys, "httpd-lab-ca.pem")
        with open(os.path.join(tmp, "nginx.conf"), "w") as f:
            f.write(NGINX_CONF.format(cores=CORES, tmp=tmp, port=PORTS["nginx"], keys=keys,
                                      root=root))
        argv = {"httpd": [httpd, "-f", "-u", "root", "-r", root, "-p", "8080", "-n",
                          str(CORES), "-t", str(PORTS["httpd"]), "-x",
                          os.path.join(keys, "cert.pem"), "-K", os.path.join(keys, "key.pem")],
                "nginx": [nginx, "-p", tmp, "-e", os.path.join(tmp, "nginx.log"), "-c",
                          os.path.join(tmp, "nginx.conf"), "-g", "daemon off;"]}
        servers = {n: start(srv, n, argv[n], tmp) for n in ("httpd", "nginx")}
        for link, host, client in (("loopback", "127.0.0.1", srv), ("veth", addr, cli)):
            res = {n: [] for n in servers}
            for n in servers:  # warm: page cache, first mapping
                fetch(client, "https://%s:%d/big.img" % (host, PORTS[n]), ca, size)
            for rnd in range(a.runs):
                order = list(servers) if rnd % 2 == 0 else list(reversed(list(servers)))
                for n in order:
                    cpu0 = servers[n].cpu_seconds()
                    mibs, err = fetch(client, "https://%s:%d/big.img" % (host, PORTS[n]),
                                      ca, size)
                    cpu = servers[n].cpu_seconds() - cpu0
                    if mibs is None:
                        print("# %s %s round %d failed: %s" % (link, n, rnd, err))
                        continue
                    res[n].append((mibs, cpu / (size / (1 << 30))))
                    print("# %s round %d %s: %.0f MiB/s, %.2f CPU s/GiB"
                          % (link, rnd, n, mibs, res[n][-1][1]), flush=True)
            rows.append((link, res))
        for d in servers.values():
            d.stop()
    load1 = os.getloadavg()
    out = ["# HTTPS, one client, %d MiB (tests/bench/https.py -r %d -s %d)" % (a.size, a.runs,
                                                                                 a.size),
           "",
           "%s, %s, %d cores, load average %.1f before, %.1f after; curl --ciphers %s" %
           (datetime.date.today(), platform.release(), CORES, load0[0], load1[0], SUITE), "",
           "| link | server | MiB/s median (min-max) | server CPU s/GiB median | httpd / nginx |",
           "|---|---|---|---|---|"]
    for link, res in rows:
        med = {n: statistics.median(m for m, _ in v) if v else 0 for n, v in res.items()}
        for n, v in res.items():
            if not v:
                out.append("| %s | %s | failed | | |" % (link, n))
                continue
            ms = [m for m, _ in v]
            ratio = "%.2f" % (med["httpd"] / med["nginx"]) if n == "httpd" and med["nginx"] \
                else ""
            out.append("| %s | %s | %.0f (%.0f-%.0f) | %.2f | %s |" % (
                link, n, med[n], min(ms), max(ms), statistics.median(c for _, c in v), ratio))
    text = "\n".join(out) + "\n"
    print(text)
    os.makedirs(tern_out("bench"), exist_ok=True)
    with open(tern_out("bench", "https.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
