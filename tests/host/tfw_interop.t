#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The .tfw format as images/README.md documents it, checked against an
# implementation nobody here wrote (Python's cryptography, on OpenSSL):
# tfw's bundles verify under it, field by field; a bundle built from the
# document alone and signed by it is installed by fwupdate and passes tfw
# verify; keys it writes (PKCS#8, SEC1) sign with tfw; another key's
# bundle is refused, and so is one claiming our key id; one signed with
# the image's second trusted key is installed (the key id picks the key),
# one with its revoked key is refused.
import hashlib
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from fwbox import (BOARD, REVOKED_KEY, TEST_KEY, TEST_KEY2, Box, missing,  # noqa: E402
                   payload_bytes, sign, tfw)
from initns import Tap, skip_all  # noqa: E402

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, utils
except ImportError:
    skip_all("python3-cryptography is not installed (toolchain/host-packages)")
if missing():
    print("Bail out! %s is not built (make test builds it)" % missing(), flush=True)
    sys.exit(1)


def point(pub):
    return pub.public_bytes(serialization.Encoding.X962,
                            serialization.PublicFormat.UncompressedPoint)


def build(payload, board, version, key, key_id=None):
    """A bundle from the documented layout, signed with key."""
    pub = point(key.public_key())
    header = (b"TERN-TFW" + (1).to_bytes(4, "big") + bytes(4)
              + board.encode().ljust(32, b"\0") + version.encode().ljust(32, b"\0")
              + len(payload).to_bytes(8, "big") + hashlib.sha256(payload).digest()
              + (key_id or hashlib.sha256(pub).digest()[:8]))
    assert len(header) == 128
    der = key.sign(header + payload, ec.ECDSA(hashes.SHA256()))
    r, s = utils.decode_dss_signature(der)
    return header + payload + r.to_bytes(32, "big") + s.to_bytes(32, "big")


t = Tap(8)
box = Box(version="2.0.0")
work = box.work
write = box.put


try:
    with open(TEST_KEY, "rb") as f:
        ours = serialization.load_pem_private_key(f.read(), None)
    theirs = ec.generate_private_key(ec.SECP256R1())

    payload = payload_bytes(123457, 7)
    b = open(sign(write("p", payload), os.path.join(work, "tfw.tfw"), "2.1.0"), "rb").read()
    n = int.from_bytes(b[80:88], "big")
    fields = (b[:8] == b"TERN-TFW" and b[8:16] == b"\0\0\0\1\0\0\0\0"
              and b[16:48] == BOARD.encode().ljust(32, b"\0")
              and b[48:80] == b"2.1.0".ljust(32, b"\0") and n == len(payload)
              and len(b) == 128 + n + 64 and b[128:128 + n] == payload
              and b[88:120] == hashlib.sha256(payload).digest()
              and b[120:128] == hashlib.sha256(point(ours.public_key())).digest()[:8])
    t.ok(fields, "tfw's bundle: every header field where and as documented")
    try:
        r, s = int.from_bytes(b[-64:-32], "big"), int.from_bytes(b[-32:], "big")
        ours.public_key().verify(utils.encode_dss_signature(r, s), b[:-64],
                                 ec.ECDSA(hashes.SHA256()))
        t.ok(True, "tfw's signature verifies with OpenSSL's ECDSA (r||s over header+payload)")
    except InvalidSignature:
        t.ok(False, "tfw's signature verifies with OpenSSL's ECDSA (r||s over header+payload)")

    doc = write("doc.tfw", build(payload, BOARD, "2.1.0", ours))
    r = box.fwupdate("-n", doc)
    slot = box.slot_file("b")
    t.ok(r.returncode == 0 and slot and box.read(slot) == payload,
         "a bundle built from the document and signed by OpenSSL is installed by fwupdate",
         r.stderr.decode())
    v = tfw("verify", "-k", TEST_KEY + ".pub", "-b", BOARD, doc)
    t.ok(v.returncode == 0, "and tfw verify takes it", v.stderr)

    before = box.snapshot()
    r = box.fwupdate("-n", write("theirs.tfw", build(payload, BOARD, "2.1.0", theirs)))
    r2 = box.fwupdate("-n", write("claim.tfw", build(
        payload, BOARD, "2.1.0", theirs, key_id=hashlib.sha256(point(ours.public_key())).digest()[:8])))
    t.ok(r.returncode == 1 and b"signed by a key this image does not trust" in r.stderr
         and r2.returncode == 1 and b"bad signature" in r2.stderr and box.snapshot() == before,
         "another key's bundle is refused, and so is one claiming our key id; ESP unchanged",
         "%s\n%s" % (r.stderr.decode(), r2.stderr.decode()))

    def load(path):
        with open(path, "rb") as f:
            return serialization.load_pem_private_key(f.read(), None)

    r = box.fwupdate("-n", "-f", write("k2.tfw", build(payload, BOARD, "2.1.0", load(TEST_KEY2))))
    slot = box.slot_file("b")
    before = box.snapshot()
    r2 = box.fwupdate("-n", "-f", write("rev.tfw", build(payload, BOARD, "2.1.0", load(REVOKED_KEY))))
    t.ok(r.returncode == 0 and slot and box.read(slot) == payload and r2.returncode == 1
         and b"revoked" in r2.stderr and box.snapshot() == before,
         "built from the document: signed with the second trusted key, installed; "
         "with the revoked one, refused", "%s\n%s" % (r.stderr.decode(), r2.stderr.decode()))

    for fmt, name in ((serialization.PrivateFormat.PKCS8, "PKCS#8"),
                      (serialization.PrivateFormat.TraditionalOpenSSL, "SEC1")):
        key = write("key-%s.pem" % name[:4], theirs.private_bytes(
            serialization.Encoding.PEM, fmt, serialization.NoEncryption()))
        out = os.path.join(work, "k.tfw")
        s = tfw("sign", "-k", key, "-b", BOARD, "-V", "2.2.0", write("p2", payload), out)
        ok = s.returncode == 0
        if ok:
            bb = open(out, "rb").read()
            try:
                theirs.public_key().verify(
                    utils.encode_dss_signature(int.from_bytes(bb[-64:-32], "big"),
                                               int.from_bytes(bb[-32:], "big")),
                    bb[:-64], ec.ECDSA(hashes.SHA256()))
            except InvalidSignature:
                ok = False
        t.ok(ok, "tfw signs with an OpenSSL %s key, and OpenSSL verifies it" % name, s.stderr)
finally:
    box.close()
t.done()
