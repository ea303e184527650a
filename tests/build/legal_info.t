#!/bin/sh
# SPDX-License-Identifier: MIT
# make legal-info: every package in the image is listed (checked here from
# the image itself: its ELF programs, the kernel, the symbols of the
# unstripped programs), with sources whose SHA-256 matches the download
# cache and sources.lock, license texts and configs; the SPDX SBOM has the
# fields SPDX 2.3 requires; our own programs are MIT with the repository's
# LICENSE; two runs write the same bytes; a corrupt source
# or a package without a license fails with a clear message and changes
# nothing.  Four runs of make legal-info, no build beyond `make`'s.
set -u
top=$TERN_TOP
out=$TERN_OUT
li=$out/legal-info
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Not the parent make's flags: this is a make of its own.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
mk() { make -C "$top" O="$out" DL_DIR="$TERN_DL" KCONFIG_CONFIG="$TERN_CONFIG" "$@"; }
# A fixed version: the bytes then depend on the build alone (its time is
# the build's SOURCE_DATE_EPOCH already: toolchain/source-date.mk).
pinned="TERN_VERSION=legal-test"
echo "1..10"
i=0
ok() { i=$((i + 1)); if [ "$1" = 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
fail_log() { grep -v '^$' "$1" | sed 's/^/# /'; }
tree_sums() { (cd "$li" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }

mk legal-info >"$tmp/run1" 2>&1
rc=$?
[ $rc = 0 ] || fail_log "$tmp/run1"
[ $rc = 0 ] && [ -s "$li/manifest.csv" ] && [ -s "$li/sbom.spdx.json" ]
ok $? "make legal-info writes the manifest and the SBOM"

# What the image holds, seen from the image: its ELF programs, the kernel,
# and which of the unstripped programs define liburing's and mbedtls's
# functions.
find "$out/target" -type f | while read -r f; do
	head -c4 "$f" | grep -q ELF && echo "/${f#"$out/target/"}"
done | sort >"$tmp/elves"
for a in "$TERN_APPS"/*; do
	[ -x "$a" ] && [ -f "$a" ] || continue
	case $a in *.map|*/obj) continue ;; esac
	name=$(basename "$a")
	dest=$(cd "$out/target" && find . -type f -name "$name" | head -n1 | cut -c2-)
	[ -n "$dest" ] || continue
	echo "$dest" >>"$tmp/apps"
	nm "$a" | grep -qE ' T (__)?io_uring_' && echo "$dest" >>"$tmp/uring"
	nm "$a" | grep -qE ' T mbedtls_' && echo "$dest" >>"$tmp/mbedtls"
done
"$PYTHON" - "$li" "$tmp" "$TERN_KERNEL" >"$tmp/listed" 2>&1 <<'EOF'
import csv, os, sys
li, tmp, kernel = sys.argv[1:]
rows = {r["package"]: r for r in csv.DictReader(open(os.path.join(li, "manifest.csv")))}
def lines(name):
    p = os.path.join(tmp, name)
    return sorted(set(open(p).read().split())) if os.path.exists(p) else []
bad = []
def where(pkg):
    return sorted(w for w in rows.get(pkg, {}).get("where", "").split() if w.startswith("/"))
if where("musl") != lines("elves"):
    bad.append(f"musl is in {where('musl')}, the image's ELF programs are {lines('elves')}")
if "/bin/busybox" in lines("elves") and "/bin/busybox" not in where("busybox"):
    bad.append("busybox: /bin/busybox is in the image, not in the manifest")
if os.path.exists(kernel) and os.path.basename(kernel) not in rows.get("linux", {}).get("image", ""):
    bad.append("linux: the kernel image is not in the manifest")
if where("liburing") != lines("uring"):
    bad.append(f"liburing is listed in {where('liburing')}, its functions are in {lines('uring')}")
if where("mbedtls") != lines("mbedtls"):
    bad.append(f"mbedtls is listed in {where('mbedtls')}, its functions are in {lines('mbedtls')}")
if where("tern") != lines("apps"):
    bad.append(f"tern lists {where('tern')}, our programs in the image are {lines('apps')}")
# Our own programs: MIT, the repository's LICENSE shipped as their text.
tern = rows.get("tern", {})
top_license = open(os.path.join(os.environ["TERN_TOP"], "LICENSE"), "rb").read()
shipped = [f for f in tern.get("license_files", "").split()
           if open(os.path.join(li, f), "rb").read() == top_license]
if tern.get("license") != "MIT" or not shipped:
    bad.append(f"tern: license {tern.get('license')!r}, texts {tern.get('license_files')!r}: "
               "not MIT with the repository's LICENSE")
bad += [f"{p}: a build tool is listed" for p in rows if p.startswith("host-")]
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
ok $? "every package in the image is listed, where the image says it is: $(cut -d, -f1 "$li/manifest.csv" | tail -n +2 | tr '\n' ' ')"
[ -s "$tmp/listed" ] && fail_log "$tmp/listed"

"$PYTHON" - "$li" "$TERN_DL" "$top/toolchain/sources.lock" >"$tmp/sums" 2>&1 <<'EOF'
import csv, hashlib, os, sys
li, dl, lock = sys.argv[1:]
locked = {l.split()[3]: l.split()[4] for l in open(lock) if l.strip() and not l.startswith("#")}
def sha(p):
    return hashlib.sha256(open(p, "rb").read()).hexdigest()
bad, n = [], 0
for r in csv.DictReader(open(os.path.join(li, "manifest.csv"))):
    if not r["source"]:
        continue
    n += 1
    # The first file is the package's own (its SHA-256 in the manifest);
    # a binary from a .deb lists its Debian source package's files after it.
    for i, f in enumerate(r["source"].split()):
        want = {"sources.lock": locked.get(f), "download cache": sha(os.path.join(dl, f)),
                "legal-info/sources": sha(os.path.join(li, "sources", f))}
        if i == 0:
            want["manifest"] = r["sha256"]
        if len(set(want.values())) != 1:
            bad.append(f"{r['package']}: {f}: {want}")
# A source file the archive did not serve is named with its locked SHA-256
# and a reason, and is not among the sources.
missing = os.path.join(li, "MISSING-SOURCES")
for l in open(missing) if os.path.exists(missing) else []:
    if l.startswith("#"):
        continue
    pkg, f, h, why = (l.rstrip("\n").split(" ", 3) + ["", "", ""])[:4]
    if locked.get(f) != h or not why or os.path.exists(os.path.join(li, "sources", f)):
        bad.append(f"MISSING-SOURCES: {l.strip()}")
    else:
        print(f"not fetched (named in MISSING-SOURCES): {pkg} {f}: {why}")
print("\n".join(bad))
sys.exit(1 if bad or n < 3 else 0)
EOF
ok $? "each source file in legal-info/sources, the download cache and sources.lock has the manifest's SHA-256"
[ -s "$tmp/sums" ] && fail_log "$tmp/sums"

"$PYTHON" - "$li" >"$tmp/lic" 2>&1 <<'EOF'
import csv, os, sys
li = sys.argv[1]
bad = []
for r in csv.DictReader(open(os.path.join(li, "manifest.csv"))):
    files = r["license_files"].split()
    if r["source"] and not files:
        bad.append(f"{r['package']}: no license text")
    bad += [f"{r['package']}: {f} is missing or empty" for f in files
            if not os.path.isfile(os.path.join(li, f)) or os.path.getsize(os.path.join(li, f)) == 0]
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
ok $? "every package from a source file has its license texts in legal-info/licenses"
[ -s "$tmp/lic" ] && fail_log "$tmp/lic"

cmp -s "$TERN_CONFIG" "$li/configs/tern.config" &&
	cmp -s "$out/build/linux-obj/.config" "$li/configs/linux.config" &&
	cmp -s "$(ls -d "$out"/build/busybox-*/.config | head -n1)" "$li/configs/busybox.config"
ok $? "the configs are the ones built with: .config, the kernel's, BusyBox's"

"$PYTHON" - "$li" "$out/images" >"$tmp/spdx" 2>&1 <<'EOF'
import csv, hashlib, json, os, re, sys
li, images = sys.argv[1:]
doc = json.load(open(os.path.join(li, "sbom.spdx.json")))
rows = {r["package"]: r for r in csv.DictReader(open(os.path.join(li, "manifest.csv")))}
bad = []
def need(cond, why):
    if not cond:
        bad.append(why)
need(doc.get("spdxVersion") == "SPDX-2.3", "spdxVersion")
need(doc.get("dataLicense") == "CC0-1.0", "dataLicense")
need(doc.get("SPDXID") == "SPDXRef-DOCUMENT", "document SPDXID")
need(doc.get("name"), "document name")
need(re.match(r"^[a-z][a-z0-9+.-]*://\S+$", doc.get("documentNamespace", "")) and
     "#" not in doc["documentNamespace"], "documentNamespace is an absolute URI without '#'")
ci = doc.get("creationInfo", {})
need(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", ci.get("created", "")), "creationInfo.created")
need(ci.get("creators") and all(re.match(r"^(Tool|Organization|Person): ", c) for c in ci["creators"]),
     "creationInfo.creators")
ids = {}
for p in doc.get("packages", []):
    pid = p.get("SPDXID", "")
    need(re.fullmatch(r"SPDXRef-[A-Za-z0-9.-]+", pid) and pid not in ids, f"package SPDXID {pid!r}")
    ids[pid] = p
    for field in ("name", "versionInfo", "downloadLocation", "licenseConcluded", "licenseDeclared",
                  "copyrightText"):
        need(p.get(field), f"{pid}: {field}")
    need(p.get("filesAnalyzed") is False, f"{pid}: filesAnalyzed")
    for c in p.get("checksums", []):
        need(c.get("algorithm") == "SHA256" and re.fullmatch(r"[0-9a-f]{64}", c.get("checksumValue", "")),
             f"{pid}: checksum {c}")
rel = doc.get("relationships", [])
for r in rel:
    need(r.get("spdxElementId") in ids or r.get("spdxElementId") == "SPDXRef-DOCUMENT",
         f"relationship from unknown {r.get('spdxElementId')}")
    need(r.get("relatedSpdxElement") in ids, f"relationship to unknown {r.get('relatedSpdxElement')}")
described = {r["relatedSpdxElement"] for r in rel if r["relationshipType"] == "DESCRIBES"
             and r["spdxElementId"] == "SPDXRef-DOCUMENT"}
need(described, "the document DESCRIBES nothing")
for d in described:
    f = os.path.join(images, ids[d]["packageFileName"])
    need(os.path.isfile(f) and ids[d]["checksums"][0]["checksumValue"] ==
         hashlib.sha256(open(f, "rb").read()).hexdigest(), f"{d}: SHA-256 of {f}")
contained = {r["relatedSpdxElement"] for r in rel if r["relationshipType"] == "CONTAINS"
             and r["spdxElementId"] in described}
by_name = {p["name"]: p for p in ids.values()}
for name, r in rows.items():
    p = by_name.get(name)
    need(p is not None, f"{name}: in the manifest, not in the SBOM")
    if p is None:
        continue
    need(p["SPDXID"] in contained, f"{name}: no image CONTAINS it")
    if r["source"]:
        need(p.get("packageFileName") == r["source"].split()[0] and
             p["checksums"][0]["checksumValue"] == r["sha256"] and
             p["licenseDeclared"] == r["license"], f"{name}: SBOM and manifest differ")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
ok $? "the SBOM is SPDX 2.3 JSON with the required fields, agreeing with the manifest and the image files"
[ -s "$tmp/spdx" ] && fail_log "$tmp/spdx"

created=$(date -u -d "@$(cat "$out/kconfig/source-date-epoch")" +%Y-%m-%dT%H:%M:%SZ)
mk legal-info $pinned >"$tmp/run2" 2>&1 && tree_sums >"$tmp/sums2" &&
	mk legal-info $pinned >"$tmp/run3" 2>&1 && tree_sums >"$tmp/sums3" &&
	cmp -s "$tmp/sums2" "$tmp/sums3" && grep -q "\"created\": \"$created\"" "$li/sbom.spdx.json"
ok $? "two runs write the same bytes ($(wc -l <"$tmp/sums3") files), created at the build's SOURCE_DATE_EPOCH, $created"
cmp "$tmp/sums2" "$tmp/sums3" 2>&1 | fail_log /dev/stdin

# Four faults at once: a download cache whose musl tarball has one byte
# more, liburing without a license, BusyBox's not on the SPDX list, musl's
# not an expression.  Each is named; nothing is written.
musl=$(awk '$1 == "musl" { print $4 }' "$top/toolchain/sources.lock")
mkdir "$tmp/dl"
for f in "$TERN_DL"/*; do ln -s "$f" "$tmp/dl/"; done
rm "$tmp/dl/$musl" && cp "$TERN_DL/$musl" "$tmp/dl/$musl" && printf x >>"$tmp/dl/$musl"
mk legal-info $pinned DL_DIR="$tmp/dl" LIBURING_LICENSE= BUSYBOX_LICENSE=GPL2 MUSL_LICENSE='MIT OR' >"$tmp/bad" 2>&1
rc=$?
grep 'legal-info:' "$tmp/bad" | fail_log /dev/stdin
[ $rc -ne 0 ] && grep -q "musl: checksum mismatch: .*$musl has SHA-256" "$tmp/bad"
ok $? "a source whose SHA-256 is not the one in sources.lock fails the run, named"
[ $rc -ne 0 ] && grep -q "liburing: no license: set LIBURING_LICENSE" "$tmp/bad" &&
	grep -q "busybox: BUSYBOX_LICENSE 'GPL2' is not an SPDX license expression (GPL2 is not an SPDX license identifier)" "$tmp/bad" &&
	grep -q "musl: MUSL_LICENSE 'MIT OR' is not an SPDX license expression" "$tmp/bad"
ok $? "a package without a license, or with one that is not a valid SPDX expression, fails the run, named"
tree_sums | cmp -s - "$tmp/sums3"
ok $? "the failed run changed nothing in legal-info"
