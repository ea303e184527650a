#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# HTTPS: httpd -t 8443 -N boot.example with the lab CAs and certificates
# made by app/httpd/tls-lab.sh (for boot.example and 192.0.2.1: an ECDSA
# pair, -x/-K, and an RSA pair, -X/-Y), over a veth between two
# namespaces; every byte checked (SHA-256 against the file):
#   curl --cacert: HTTP/1.1 GET of a 16 MiB file, by name (SNI) and by
#   address (no SNI), with AES-128-GCM and with AES-256-GCM; two URLs on
#   one kept-alive connection; --range; HEAD (-I);
#   an RSA-only client (curl --ciphers DHE-RSA-AES128/256-GCM, trusting
#   only the RSA lab CA; openssl s_client) gets the RSA certificate, an
#   ECDSA one (s_client) the ECDSA certificate;
#   Python's ssl: TLS 1.2 with ECDHE-ECDSA AES-GCM; three requests on one
#   connection (http.client); a request sent a byte a record; requests
#   pipelined in one record, and 600 (more plaintext than the receive
#   buffer holds), answered in order;
#   failures, each ending its own connection, counted and logged once:
#   garbage (plain HTTP to the TLS port), a TLS 1.0-only client and a
#   client offering only RSA key exchange, no forward secrecy (openssl
#   s_client: refused with an alert), a wrong
#   server name (SNI), a record cut short and a record of garbage after
#   the handshake, a client that resets the connection mid-handshake (as
#   OVMF does when it refuses the chain), a client that stops
#   mid-handshake (closed at the -H 2
#   deadline, never before it); a client that stops reading a response
#   (cut at the -s 2 send deadline, a send timeout as over plain HTTP);
# and a key that is not the certificate's, or an ECDSA key given as the
# RSA one, stops httpd before it starts;
# meanwhile a slow download over plain HTTP (a steady reader: curl's
# --limit-rate reads in bursts, then waits up to its 3 s window, and with
# httpd's not-sent limit, -L, a reader that waits 2 s is a response making
# no progress) and a rate-limited curl over HTTPS run through all of it and
# finish with every byte right.  The TLS
# counters are the shared ones: /metrics (-w, with a run directory of the
# test's) shows no failure before the failures and then exactly what
# SIGUSR1 logs, and passes promtool check metrics.
import hashlib
import http.client
import os
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from httpd import PORT, TOP, Httpd, Net, Tap, httpd_binary, require_httpd, skip_all  # noqa: E402

TLS_PORT = 8443
STATUS = 9180
NAME = "boot.example"
require_httpd()
if subprocess.run(["sh", "-c", "command -v openssl"], capture_output=True).returncode:
    skip_all("no openssl on this host (toolchain/host-packages)")
t = Tap(41)
run = tempfile.mkdtemp(prefix="httpd-tls-run-")
for d in ("stats", "journal"):
    os.mkdir(os.path.join(run, d))
os.environ["TERN_RUN_DIR"] = run  # httpd shares its counters there (app/lib/stats.h)


def sha(b):
    return hashlib.sha256(b).hexdigest()


with Net() as net:
    srv, cli = net.ns("srv"), net.ns("cli")
    net.veth(srv, cli)
    root, out, keys = (net.tmpdir("httpd-root."), net.tmpdir("httpd-out."),
                       net.tmpdir("httpd-keys."))
    files = {"big.img": os.urandom(16 << 20), "boot.ipxe": b"#!ipxe\n" + b"echo hi\n" * 127,
             "slow.img": os.urandom(6 << 20)}
    for name, data in files.items():
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    addr = srv.addr(4)
    lab = subprocess.run(["sh", os.path.join(TOP, "app", "httpd", "tls-lab.sh"), keys,
                          keys, NAME, addr], capture_output=True, text=True)
    ca = os.path.join(keys, "httpd-lab-ca.pem")
    t.ok(lab.returncode == 0 and "WARNING" in lab.stderr and os.path.exists(ca),
         "tls-lab.sh makes a lab CA and a certificate, with a warning", lab.stderr)
    r = subprocess.run([httpd_binary(), "-r", root, "-p", "1", "-t", "2", "-x",
                        os.path.join(keys, "cert.pem"), "-K",
                        os.path.join(keys, "httpd-lab-ca.key")], capture_output=True, text=True)
    t.ok(r.returncode == 100 and "is not the key of the certificate" in r.stderr,
         "a key that is not the certificate's: httpd refuses to start (exit 100)", r.stderr)
    pairs = ["-x", os.path.join(keys, "cert.pem"), "-K", os.path.join(keys, "key.pem")]
    r = subprocess.run([httpd_binary(), "-r", root, "-p", "1", "-t", "2"] + pairs +
                       ["-X", os.path.join(keys, "cert.pem"), "-Y", os.path.join(keys, "key.pem")],
                       capture_output=True, text=True)
    t.ok(r.returncode == 100 and "is not an RSA key" in r.stderr,
         "an ECDSA pair given as the RSA one (-X/-Y): httpd refuses to start (exit 100)", r.stderr)
    rsa_ca = os.path.join(keys, "httpd-lab-rsa-ca.pem")
    pairs += ["-X", os.path.join(keys, "rsa-cert.pem"), "-Y", os.path.join(keys, "rsa-key.pem")]
    h = Httpd(srv, root, "-H", "2", "-s", "2", "-t", str(TLS_PORT), "-N", NAME, "-w", str(STATUS),
              *pairs).start()
    h.d.expect(r"serving HTTPS on port %d" % TLS_PORT)
    base = "https://%s:%d" % (NAME, TLS_PORT)
    resolve = ["--resolve", "%s:%d:%s" % (NAME, TLS_PORT, addr), "--cacert", ca]

    # Two downloads that run through everything below, one a protocol.
    def steady_get(path, got):
        """GET path on its own connection, 16 KiB every 15 ms (about 1
        MiB/s); got gets the status line and the body, or the error."""
        s = cli.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(30)
        data = bytearray()
        try:
            s.connect((addr, PORT))
            s.sendall(b"GET %s HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" % path)
            while True:
                chunk = s.recv(16384)
                if not chunk:
                    break
                data += chunk
                time.sleep(0.015)
        except OSError as e:
            got.append(repr(e))
        s.close()
        head, _, body = bytes(data).partition(b"\r\n\r\n")
        got[:0] = [head.split(b"\r\n")[0].decode(errors="replace"), body]

    steady = []
    steady_thread = threading.Thread(target=steady_get, args=(b"/slow.img", steady))
    steady_thread.start()
    slow_dst = os.path.join(out, "slow.https")
    slow = subprocess.Popen(cli.argv(
        ["curl", "-sS", "--limit-rate", "1M", "-o", slow_dst, "-w", "%{http_code}"] + resolve +
        ["%s/slow.img" % base]), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def curl(*args, timeout=60):
        dst = os.path.join(out, "curl.out")
        if os.path.exists(dst):
            os.remove(dst)
        r = cli.run(["curl", "-sS", "-o", dst, "-w", "%{http_code} %{num_connects}\\n"] +
                    resolve + list(args), timeout=timeout)
        body = open(dst, "rb").read() if os.path.exists(dst) else b""
        return r, body

    big = files["big.img"]
    r, body = curl("--http1.1", base + "/big.img")
    t.ok(r.stdout.startswith("200") and sha(body) == sha(big),
         "curl --cacert GET 16 MiB by name (SNI): same bytes", r.stdout + r.stderr)
    r, body = curl("https://%s:%d/big.img" % (addr, TLS_PORT))
    t.ok(r.stdout.startswith("200") and sha(body) == sha(big),
         "curl by address (no SNI): the certificate's IP name, same bytes", r.stdout + r.stderr)
    for suite in ("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384"):
        r, body = curl("--ciphers", suite, base + "/big.img")
        t.ok(r.stdout.startswith("200") and sha(body) == sha(big),
             "curl --ciphers %s: same bytes" % suite, r.stdout + r.stderr)
    # An RSA-only client, trusting only the RSA lab CA: the RSA certificate.
    for suite in ("DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES256-GCM-SHA384"):
        r, body = curl("--ciphers", suite, "--cacert", rsa_ca, base + "/big.img")
        t.ok(r.stdout.startswith("200") and sha(body) == sha(big),
             "curl --ciphers %s --cacert the RSA lab CA: same bytes" % suite,
             r.stdout + r.stderr)
    r = cli.run(["curl", "-sS", "-o", "/dev/null", "-o", "/dev/null", "-w",
                 "%{http_code} %{num_connects}\\n"] + resolve +
                [base + "/boot.ipxe", base + "/big.img"])
    t.ok(r.stdout.split("\n")[:2] == ["200 1", "200 0"],
         "two URLs on one kept-alive TLS connection", r.stdout + r.stderr)
    r, body = curl("--range", "1000-1999", base + "/big.img")
    t.ok(r.stdout.startswith("206") and body == big[1000:2000], "--range 1000-1999: 206, its bytes",
         r.stdout + r.stderr)
    r, body = curl("--range", "16777000-", base + "/big.img")
    t.ok(r.stdout.startswith("206") and body == big[16777000:], "--range 16777000-: the tail",
         r.stdout + r.stderr)
    r = cli.run(["curl", "-sSI"] + resolve + [base + "/boot.ipxe"])
    t.ok("Content-Length: %d" % len(files["boot.ipxe"]) in r.stdout and
         "Content-Type: text/plain" in r.stdout, "HEAD over TLS: its length, no body",
         r.stdout + r.stderr)

    ctx = ssl.create_default_context(cafile=ca)

    def tls_socket(server_name=NAME):
        """A connection to the TLS port; wrapped in TLS unless server_name is None."""
        raw = cli.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.settimeout(10)
        raw.connect((addr, TLS_PORT))
        return raw if server_name is None else ctx.wrap_socket(raw, server_hostname=server_name)

    s = tls_socket()
    ver, cipher = s.version(), s.cipher()[0]
    t.ok(ver == "TLSv1.2" and cipher in ("ECDHE-ECDSA-AES128-GCM-SHA256",
                                         "ECDHE-ECDSA-AES256-GCM-SHA384"),
         "Python's ssl: TLS 1.2, ECDHE-ECDSA with AES-GCM", "%s %s" % (ver, cipher))

    # http.client, three requests on the connection it keeps
    class Conn(http.client.HTTPSConnection):
        def connect(self):
            self.sock = s

    c = Conn(NAME, TLS_PORT, context=ctx)
    got = []
    for path in ("/boot.ipxe", "/big.img", "/boot.ipxe"):
        c.request("GET", path)
        resp = c.getresponse()
        got.append((resp.status, sha(resp.read())))
    t.ok(got == [(200, sha(files["boot.ipxe"])), (200, sha(big)), (200, sha(files["boot.ipxe"]))],
         "http.client: three requests on one TLS connection, same bytes", repr(got))
    c.close()

    def pipelined(n):
        s = tls_socket()
        req = b"GET /boot.ipxe HTTP/1.1\r\nHost: %s\r\n\r\n" % NAME.encode()
        s.sendall(req * (n - 1) + req.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        data = b""
        while True:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            data += chunk
        s.close()
        return data

    s = tls_socket()
    for b in b"GET /boot.ipxe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n":
        s.send(bytes([b]))  # a record a byte
    data = b""
    while True:
        chunk = s.recv(1 << 16)
        if not chunk:
            break
        data += chunk
    s.close()
    t.ok(data.startswith(b"HTTP/1.1 200 OK") and data.endswith(files["boot.ipxe"]),
         "a request sent a byte a record: answered", data[:100])
    data = pipelined(3)
    t.ok(data.count(b"HTTP/1.1 200 OK") == 3 and data.endswith(files["boot.ipxe"]),
         "three requests pipelined in one record: three answers, in order", data[:200])
    data = pipelined(600)
    t.ok(data.count(b"HTTP/1.1 200 OK") == 600 and data.count(files["boot.ipxe"]) == 600,
         "600 pipelined (more than the receive buffer holds): 600 answers",
         "%d answers" % data.count(b"HTTP/1.1 200 OK"))

    def tls_metrics():
        """/metrics' text and its tern_httpd_tls_* samples as {series: value}."""
        r = cli.run(["curl", "-sS", "--max-time", "10", "http://%s:%d/metrics" % (addr, STATUS)],
                    timeout=15)
        return r.stdout, {line.rsplit(" ", 1)[0]: int(line.rsplit(" ", 1)[1])
                          for line in r.stdout.splitlines() if line.startswith("tern_httpd_tls_")}

    CAUSES = ("handshake failed", "handshake timed out", "bad record")
    _, before = tls_metrics()
    t.ok(before.get("tern_httpd_tls_handshakes_total", 0) >= 8 and
         all(before.get('tern_httpd_tls_failures_total{cause="%s"}' % c) == 0 for c in CAUSES),
         "/metrics before the failures: the handshakes so far, each failure cause at 0",
         repr(before))

    # --- failures: each closes its own connection, counted, logged once ---
    def closed(sock, data=b"", timeout=10):
        """Send data; True when the server closes (EOF or reset) in time."""
        if data:
            sock.sendall(data)
        sock.settimeout(timeout)
        try:
            while sock.recv(65536):
                pass
        except ConnectionResetError:
            pass
        except socket.timeout:
            return False
        return True

    s = tls_socket(None)
    t.ok(closed(s, b"GET /boot.ipxe HTTP/1.1\r\nHost: a\r\n\r\n"),
         "garbage (plain HTTP on the TLS port): closed")
    s.close()

    def s_client(*args):
        return cli.run(["openssl", "s_client", "-connect", "%s:%d" % (addr, TLS_PORT),
                        "-CAfile", ca] + list(args), input="", timeout=20)

    r = s_client("-tls1", "-cipher", "DEFAULT@SECLEVEL=0")
    t.ok("alert protocol version" in r.stderr + r.stdout,
         "a TLS 1.0 client: refused with a protocol_version alert", r.stderr[-400:])
    r = s_client("-tls1_2", "-cipher", "kRSA", "-servername", NAME)
    t.ok("alert handshake failure" in r.stderr + r.stdout,
         "a client offering only RSA key exchange (no forward secrecy): refused "
         "(handshake_failure)", r.stderr[-400:])
    r = s_client("-tls1_2", "-servername", "other.example")
    t.ok("unrecognized name" in r.stderr + r.stdout,
         "a wrong server name (SNI): refused with an unrecognized_name alert", r.stderr[-400:])
    r = s_client("-tls1_2", "-servername", NAME)
    t.ok("Verify return code: 0" in r.stdout and "ECDHE-ECDSA-AES" in r.stdout and
         "Server public key is 256 bit" in r.stdout,
         "the right name: s_client verifies the chain, the ECDSA certificate", r.stdout[-600:])
    r = cli.run(["openssl", "s_client", "-connect", "%s:%d" % (addr, TLS_PORT), "-CAfile", rsa_ca,
                 "-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256", "-servername", NAME],
                input="", timeout=20)
    t.ok("Verify return code: 0" in r.stdout and "DHE-RSA-AES128-GCM-SHA256" in r.stdout and
         "Server public key is 2048 bit" in r.stdout,
         "an RSA-only s_client: the RSA certificate, verified by the RSA lab CA", r.stdout[-600:])

    def handshaken():
        """A TLS 1.2 session over memory BIOs: (socket, ssl object, out BIO)."""
        raw = tls_socket(None)
        inc, outb = ssl.MemoryBIO(), ssl.MemoryBIO()
        o = ctx.wrap_bio(inc, outb, server_hostname=NAME)
        while True:
            try:
                o.do_handshake()
                break
            except ssl.SSLWantReadError:
                raw.sendall(outb.read())
                inc.write(raw.recv(65536))
        raw.sendall(outb.read())
        return raw, o, outb

    raw, o, outb = handshaken()
    o.write(b"GET /boot.ipxe HTTP/1.1\r\nHost: %s\r\n\r\n" % NAME.encode())
    rec = outb.read()
    raw.sendall(rec[:-7])
    raw.shutdown(socket.SHUT_WR)
    t.ok(closed(raw), "a record cut short, then the end: closed")
    raw.close()
    raw, o, outb = handshaken()
    t.ok(closed(raw, b"\x17\x03\x03\x00\x40" + os.urandom(64)),
         "a record of garbage after the handshake: closed")
    raw.close()

    # A ClientHello, the server's flight read, then a reset (SO_LINGER 0).
    raw = tls_socket(None)
    me = "%s:%d" % raw.getsockname()[:2]
    outb = ssl.MemoryBIO()
    o = ctx.wrap_bio(ssl.MemoryBIO(), outb, server_hostname=NAME)
    try:
        o.do_handshake()
    except ssl.SSLWantReadError:
        pass
    raw.sendall(outb.read())
    got = raw.recv(65536)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    raw.close()
    reset = r"%s TLS handshake failed: the connection ended" % me
    deadline = time.monotonic() + 5
    while not h.d.matches(reset) and time.monotonic() < deadline:
        time.sleep(0.05)
    t.ok(got.startswith(b"\x16\x03\x03") and h.d.matches(reset),
         "a client resetting mid-handshake: counted and logged as a failed handshake",
         repr(got[:10]) + h.d.tail(4))

    # The clock starts before the connection does: httpd's deadline starts
    # when it accepts, after that, and is kept in whole milliseconds (so
    # never earlier than 1.999 s from here).  No upper bound here (a busy
    # machine may sweep late); that the deadline closed it, not anything
    # else, is the handshake timeout counted below.
    began = time.monotonic()
    raw = tls_socket(None)
    # a ClientHello's record header and first bytes, then nothing
    raw.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(20))
    ok = closed(raw, timeout=10)
    took = time.monotonic() - began
    t.ok(ok and took >= 1.999, "a client that stops mid-handshake: closed at the deadline, "
         "not before", "%.3f s" % took)
    raw.close()

    s = tls_socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(b"GET /big.img HTTP/1.1\r\nHost: %s\r\n\r\n" % NAME.encode())
    s.recv(100)
    time.sleep(5)  # reading nothing: the deadline is 2 s, swept each second
    n = h.counters()
    s.close()
    t.ok(n["send timeouts"] == 1 and n["cut short"] == 0,
         "a TLS client that stops reading: cut at the send deadline (-s 2)", repr(n))

    steady_thread.join(60)
    t.ok(len(steady) == 2 and steady[0] == "HTTP/1.1 200 OK" and
         sha(steady[1]) == sha(files["slow.img"]),
         "a http download running throughout: every byte right",
         "%r, %d bytes %r" % (steady[:1], len(steady[1]) if len(steady) > 1 else -1, steady[2:]))
    stdout, stderr = slow.communicate(timeout=60)
    body = open(slow_dst, "rb").read() if os.path.exists(slow_dst) else b""
    t.ok(stdout == "200" and sha(body) == sha(files["slow.img"]),
         "a https download running throughout: every byte right", stdout + stderr)

    n = h.counters()
    m = h.d.expect(r"tls: (.*)")
    tls = {}
    for part in m.group(1).split(", "):
        v, k = part.split(" ", 1)
        tls[k] = int(v)
    t.ok(tls.get("failed handshakes") == 5,
         "5 failed handshakes counted (garbage, TLS 1.0, RSA key exchange, wrong name, reset)",
         m.group(0))
    t.ok(tls.get("bad records") == 2, "2 bad records counted (cut short, garbage)", m.group(0))
    t.ok(tls.get("handshake timeouts") == 1, "1 handshake timeout counted", m.group(0))
    lines = h.log_lines(r"TLS (handshake failed|record cut short|bad record|handshake not done)",
                        count=8)
    t.ok(len(lines) == 8, "each failure logged in one line",
         "\n".join(x.string for x in lines))
    t.ok(h.d.seen(r"server name other than the configured") and
         h.d.seen(r"protocol not within min/max") and h.d.seen(r"no ciphersuites in common"),
         "their lines say why: wrong name, version, no common suite")
    t.ok(n["malformed"] == 0 and n["5xx"] == 0, "and no HTTP refusal among them", repr(n))
    text, after = tls_metrics()
    want = {"tern_httpd_tls_handshakes_total": tls.get("handshakes"),
            'tern_httpd_tls_failures_total{cause="handshake failed"}': 5,
            'tern_httpd_tls_failures_total{cause="handshake timed out"}': 1,
            'tern_httpd_tls_failures_total{cause="bad record"}': 2}
    t.ok(after == want and after["tern_httpd_tls_handshakes_total"] >
         before["tern_httpd_tls_handshakes_total"],
         "/metrics after them: the counters SIGUSR1 logs, risen (the same memory)",
         "%r\n%r" % (after, want))
    if os.system("command -v promtool >/dev/null 2>&1") == 0:
        r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                           text=True, timeout=30)
        t.ok(r.returncode == 0 and "tern_httpd_tls_failures_total" in text,
             "/metrics with the TLS counters passes promtool check metrics",
             r.stdout + r.stderr + text[-2000:])
    else:
        t.ok(True, "promtool check metrics # SKIP no promtool (prometheus, toolchain/host-packages)")
    rc = h.stop()
    t.ok(rc == 0, "httpd stops cleanly (SIGTERM, exit 0)", "exit %s%s" % (rc, h.d.tail(15)))
t.done()
