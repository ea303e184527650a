#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""legal-info.py -- what a vendor shipping the image must publish.

Run by `make legal-info` (images/legal-info.mk), which hands over:

  --packages FILE  every package make knows (PKGS, plus our own programs as
                   "tern"), one "name<TAB>KEY<TAB>value" line per variable
                   of toolchain/pkg.mk (VERSION, LICENSE, LOCK, SOURCE, ...)
  --make-db FILE   `make -pqk images`: make's own rules, from which the
                   packages the image's files are built from are found

A package is in the image when its installed stamp is a prerequisite, at any
depth, of a file `make images` produces; a package that only installs static
libraries into the sysroot must also have a member linked into a program of
the image, as the linker maps (-Wl,-Map) say.  Packages named host-* are
build tools.  Every package in the image must have an SPDX license, a source
file in toolchain/sources.lock, that file in the download cache with the
recorded SHA-256, and license texts; otherwise this script names every
problem and exits 1, leaving the previous output as it was.

Output (replaced as a whole, identical bytes for identical inputs):
  manifest.csv, manifest.md   one row per package
  sbom.spdx.json              SPDX 2.3
  licenses/<pkg>/...          license texts from the package's source
  sources/<file>              the source files, as verified
  configs/*.config            the exact configurations used
  README                      what the above is
"""

import argparse
import csv
import datetime
import functools
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.parse
import uuid

PROG = "legal-info"
LICENSE_NAME = re.compile(r"^(copying|copyright|licen[cs]e|notice)([._-].*)?$", re.I)
# What one package may say about itself (toolchain/pkg.mk); lists are split.
LIST_KEYS = ("LICENSE_FILES", "LINK_MAPS", "STAMP")


class Problems(Exception):
    pass


@functools.lru_cache(maxsize=None)
def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_packages(path):
    pkgs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip(" \n")
            if not line:
                continue
            name, key, value = (line.split("\t", 2) + ["", ""])[:3]
            pkg = pkgs.setdefault(name, {"name": name})
            pkg[key] = value.split() if key in LIST_KEYS else value.strip()
    return pkgs


def read_lock(path):
    lock = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            fields = line.split()
            if not fields or fields[0].startswith("#"):
                continue
            if len(fields) != 5:
                raise Problems([f"{path}:{n}: expected 5 fields, found {len(fields)}"])
            name, kind, version, file, digest = fields
            lock[(name, file)] = {"kind": kind, "version": version, "sha256": digest}
    return lock


def read_make_db(path):
    """target -> prerequisites (normal and order-only), from `make -p`."""
    graph = {}
    in_files = False
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("# Files"):
                in_files = True
                continue
            if line.startswith("# files hash-table stats"):
                break
            if not in_files or line[0] in "#\t\n":
                continue
            m = re.match(r"^([^:=\s][^:=]*?)::?(?:\s+(.*))?$", line.rstrip("\n"))
            if m:
                deps = (m.group(2) or "").split()
                graph.setdefault(m.group(1), []).extend(d for d in deps if d != "|")
    return graph


def closure(graph, start):
    seen, todo = set(), [start]
    while todo:
        t = todo.pop()
        if t not in seen:
            seen.add(t)
            todo.extend(graph.get(t, ()))
    return seen


def image_files(graph, goal, images_dir):
    """The files under images_dir that `make GOAL` produces."""
    if goal not in graph:
        raise Problems([f"make's database has no '{goal}' target"])
    found, seen, todo = [], set(), list(graph[goal])
    prefix = images_dir.rstrip("/") + "/"
    while todo:
        t = todo.pop()
        if t in seen:
            continue
        seen.add(t)
        if t.startswith(prefix) and os.path.isfile(t):
            found.append(t)
        elif not t.startswith("/"):
            todo.extend(graph.get(t, ()))
    if not found:
        raise Problems([f"'make {goal}' makes no file under {images_dir}: build the image first"])
    return sorted(found)


# --- SPDX license expressions --------------------------------------------

# The SPDX license list as Debian ships it (node-spdx-license-ids,
# node-spdx-exceptions: JSON only, no node needed; toolchain/host-packages).
SPDX_LISTS = "/usr/share/nodejs"


@functools.lru_cache(maxsize=None)
def spdx_list(name):
    path = os.path.join(SPDX_LISTS, name)
    try:
        with open(path, encoding="utf-8") as f:
            return frozenset(json.load(f))
    except OSError as e:
        raise Problems([f"cannot read the SPDX license list {path} ({e.strerror}): "
                        "run toolchain/host-deps.sh"])


def check_license(expr):
    """None if expr is a valid SPDX license expression, else why not."""
    tokens = re.findall(r"\(|\)|[A-Za-z0-9.+:-]+|\S", expr)
    pos = 0
    named = []  # (kind, identifier)

    def peek():
        return tokens[pos] if pos < len(tokens) else None

    def take():
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def ident(what):
        t = take() if peek() else None
        if t is None or t in ("(", ")", "AND", "OR", "WITH") or not re.fullmatch(r"[A-Za-z0-9.+:-]+", t):
            raise ValueError(f"expected {what}, found {t or 'the end'}")
        named.append((what, t))
        return t

    def simple():
        if peek() == "(":
            take()
            compound()
            if peek() != ")":
                raise ValueError("unbalanced '('")
            take()
            return
        ident("a license identifier")
        if peek() == "WITH":
            take()
            ident("an exception identifier")

    def compound():
        simple()
        while peek() in ("AND", "OR"):
            take()
            simple()

    try:
        if not tokens:
            return "empty"
        compound()
        if pos != len(tokens):
            return f"unexpected '{tokens[pos]}'"
    except ValueError as e:
        return str(e)
    for what, t in named:
        if re.match(r"^(LicenseRef-|DocumentRef-)", t):
            continue
        if what == "an exception identifier":
            if t not in spdx_list("spdx-exceptions/index.json"):
                return f"{t} is not an SPDX license exception"
        elif t.rstrip("+") in spdx_list("spdx-license-ids/deprecated.json"):
            return f"{t} is a deprecated SPDX identifier"
        elif t.rstrip("+") not in spdx_list("spdx-license-ids/index.json"):
            return f"{t} is not an SPDX license identifier"
    return None


# --- link maps --------------------------------------------------------------

def map_inputs(path):
    """Absolute paths of the objects and archives a link map says were used:
    every loaded .o, every archive a member was taken from."""
    used = set()
    with open(path, encoding="utf-8", errors="replace") as f:
        section = "archive"
        for line in f:
            if line.startswith("Discarded input sections") or line.startswith("Memory Configuration"):
                section = None
            elif line.startswith("Linker script and memory map"):
                section = "load"
            if section == "archive":
                m = re.match(r"^(/\S+?\.a)\(", line)
                if m:
                    used.add(m.group(1))
            elif section == "load":
                m = re.match(r"^LOAD (/\S+\.o)$", line.rstrip("\n"))
                if m:
                    used.add(m.group(1))
    return used


def files_named(root, names):
    """path -> basename for files under root whose basename is in names."""
    hits = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        hits.extend(os.path.join(dirpath, f) for f in filenames if f in names)
    return hits


def sysroot_owners(sysroot, pkgs):
    """sysroot file -> package, for the static libraries and start files in
    the sysroot: the package whose tree holds a file with the same name and
    the same bytes."""
    wanted = {}
    for dirpath, _, filenames in os.walk(os.path.realpath(sysroot)):
        for f in filenames:
            if f.endswith((".a", ".o")):
                p = os.path.join(dirpath, f)
                if not os.path.islink(p):
                    wanted.setdefault(f, []).append(p)
    owners, digests = {}, {}

    def digest(p):
        if p not in digests:
            digests[p] = (os.path.getsize(p), sha256(p))
        return digests[p]

    for pkg in pkgs:
        dirs = [d for d in (pkg.get("DIR"), pkg.get("OBJ")) if d and os.path.isdir(d)]
        for d in dirs:
            for cand in files_named(d, set(wanted)):
                for p in wanted[os.path.basename(cand)]:
                    if p not in owners and os.path.getsize(cand) == digest(p)[0] \
                            and sha256(cand) == digest(p)[1]:
                        owners[p] = pkg["name"]
    return owners


def dpkg_owners(paths):
    """path -> the Debian package installed on this host that holds it
    (name, version, arch, source package and version); None if none does."""
    query = sorted({q for p in paths for q in (p, os.path.realpath(p))})
    r = subprocess.run(["dpkg-query", "-S"] + query, capture_output=True, text=True)
    binary = {}
    for line in r.stdout.splitlines():
        names, sep, path = line.partition(": ")
        if sep and not line.startswith("diversion"):
            binary[path] = names.split(",")[0].split(":")[0].strip()
    info = {}
    if binary:
        q = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Version}\t${source:Package}\t"
                            "${source:Version}\t${Architecture}\n"] + sorted(set(binary.values())),
                           capture_output=True, text=True, check=True)
        for line in q.stdout.splitlines():
            name, version, src, src_version, arch = line.split("\t")
            info[name] = {"name": name, "version": version, "src": src, "src_version": src_version,
                          "arch": arch}
    return {p: info.get(binary.get(p) or binary.get(os.path.realpath(p))) for p in paths}


# --- license texts ------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def deb_copyright(deb):
    """(path, bytes) of usr/share/doc/*/copyright in a .deb, read with dpkg-deb."""
    proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
    found = []
    try:
        with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
            for m in tar:
                if re.fullmatch(r"(\./)?usr/share/doc/[^/]+/copyright", m.name) and m.isfile():
                    found.append((m.name.lstrip("./"), tar.extractfile(m).read()))
                elif m.name.lstrip("./").startswith("usr/src/") and found:
                    break  # the big source tarball follows the documentation
    finally:
        proc.stdout.close()
        proc.kill()
        proc.wait()
    return tuple(found)


def license_texts(pkg, dl_dir):
    """[(name in licenses/<pkg>/, source path or bytes)]."""
    out = []
    if pkg.get("LICENSE_FILES"):
        files = pkg["LICENSE_FILES"]
        missing = [f for f in files if not os.path.isfile(f)]
        if missing:
            raise Problems([f"{pkg['name']}: license file {m} (_LICENSE_FILES) does not exist" for m in missing])
        base = os.path.commonpath(files) if len(files) > 1 else os.path.dirname(files[0])
        out = [(os.path.relpath(f, base), f) for f in files]
    elif pkg.get("DIR") and os.path.isdir(pkg["DIR"]):
        d = pkg["DIR"]
        for entry in sorted(os.listdir(d)):
            p = os.path.join(d, entry)
            if not LICENSE_NAME.match(entry) and entry != "LICENSES":
                continue
            if os.path.isfile(p):
                out.append((entry, p))
            elif os.path.isdir(p):
                for dirpath, _, filenames in os.walk(p):
                    out.extend((os.path.relpath(os.path.join(dirpath, f), d), os.path.join(dirpath, f))
                               for f in filenames)
        for p in [os.path.join(d, "debian", "copyright")] + glob.glob(os.path.join(d, "usr/share/doc/*/copyright")):
            if os.path.isfile(p):
                out.append((os.path.relpath(p, d), p))
    source = pkg.get("SOURCE", "")
    if source.endswith(".deb") and os.path.isfile(os.path.join(dl_dir, source)):
        out.extend(deb_copyright(os.path.join(dl_dir, source)))
    unique, seen = {}, set()
    for name, src in sorted(out, key=lambda x: x[0]):
        data = src if isinstance(src, bytes) else open(src, "rb").read()
        if name not in unique and data not in seen:
            unique[name] = data
            seen.add(data)
    return sorted(unique.items())


# --- the checks ---------------------------------------------------------------

def upstream_of(debian_version):
    v = debian_version.split(":", 1)[-1]
    return v.rsplit("-", 1)[0] if "-" in v else v


def check_package(pkg, lock, dl_dir):
    """Problems with a package of the image (a list of strings)."""
    name, where = pkg["name"], pkg.get("MK", "its package file")
    bad = []
    lic = pkg.get("LICENSE", "")
    if not lic or lic in ("NOASSERTION", "NONE"):
        bad.append(f"{name}: no license: set {pkg['VAR']}_LICENSE (an SPDX identifier) in {where}")
    elif check_license(lic):
        bad.append(f"{name}: {pkg['VAR']}_LICENSE '{lic}' is not an SPDX license expression ({check_license(lic)})")
    if not pkg.get("VERSION"):
        bad.append(f"{name}: no {pkg['VAR']}_VERSION in {where}")
    src, lname = pkg.get("SOURCE"), pkg.get("LOCK")
    if not src or not lname:
        bad.append(f"{name}: {pkg['VAR']}_SOURCE and {pkg['VAR']}_LOCK must name its file in toolchain/sources.lock ({where})")
        return bad
    entry = lock.get((lname, src))
    if entry is None:
        bad.append(f"{name}: toolchain/sources.lock has no line '{lname} ... {src}'")
        return bad
    pkg["lock"] = entry
    up = upstream_of(entry["version"])
    v = pkg.get("VERSION", "")
    if v and not (up == v or (up.startswith(v) and up[len(v)] in "+~")):
        bad.append(f"{name}: {pkg['VAR']}_VERSION is {v} but sources.lock has {lname} {entry['version']}")
    path = os.path.join(dl_dir, src)
    if not os.path.isfile(path):
        bad.append(f"{name}: {path} is missing: run 'make fetch'")
        return bad
    got = sha256(path)
    if got != entry["sha256"]:
        bad.append(f"{name}: checksum mismatch: {path} has SHA-256 {got}, toolchain/sources.lock says {entry['sha256']}")
    pkg["sha256"] = got
    pkg["debian_source"] = f"{lname} {entry['version']}"
    bad += check_corresponding(pkg, lock, dl_dir)
    if entry["kind"] == "binary":
        r = subprocess.run(["dpkg-deb", "-f", path, "Source", "Version"], capture_output=True, text=True)
        fields = dict(l.split(": ", 1) for l in r.stdout.splitlines() if ": " in l)
        m = re.fullmatch(r"(\S+)(?: \((\S+)\))?", fields.get("Source", lname))
        if r.returncode != 0 or not m:
            bad.append(f"{name}: {path} is not a readable .deb ({r.stderr.strip()})")
        else:
            pkg["debian_source"] = f"{m.group(1)} {m.group(2) or fields.get('Version', entry['version'])}"
    return bad


def check_corresponding(pkg, lock, dl_dir):
    """A binary from a .deb: the files of the Debian source package it was
    built from (FOO_SOURCE_LOCK), fetched if need be and checked; their
    names in pkg["corresponding"]."""
    sname = pkg.get("SOURCE_LOCK")
    if not sname:
        return []
    files = sorted(f for (n, f) in lock if n == sname and lock[(n, f)]["kind"] == "source")
    if not files:
        return [f"{pkg['name']}: {pkg['VAR']}_SOURCE_LOCK is {sname}, which toolchain/sources.lock lacks"]
    why = ""
    if any(not os.path.isfile(os.path.join(dl_dir, f)) for f in files):
        fetch = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "toolchain", "fetch.sh")
        r = subprocess.run([fetch, sname + ":source"], env=dict(os.environ, DL_DIR=dl_dir),
                           capture_output=True, text=True)
        why = " ".join(r.stderr.split()[-12:]) if r.returncode != 0 else ""
    # A source file the archive does not serve (this happens: a mirror
    # without a package's .orig tarball) is named in MISSING-SOURCES with
    # its SHA-256 and the reason, never passed over in silence; the rest
    # (at least the .dsc, which names every file's SHA-256) must be here.
    missing = [f for f in files if not os.path.isfile(os.path.join(dl_dir, f))]
    if missing and len(missing) == len(files):
        return [f"{pkg['name']}: fetching its source {sname}: {why or 'nothing fetched'}"]
    pkg["missing"] = [(f, lock[(sname, f)]["sha256"], why) for f in missing]
    files = [f for f in files if f not in missing]
    bad = []
    for f in files:
        got = sha256(os.path.join(dl_dir, f))
        if got != lock[(sname, f)]["sha256"]:
            bad.append(f"{pkg['name']}: checksum mismatch: {f} has SHA-256 {got}, "
                       f"toolchain/sources.lock says {lock[(sname, f)]['sha256']}")
    pkg["corresponding"] = files
    return bad


# --- what is in the image ------------------------------------------------------

def select(pkgs, graph, artifacts, sysroot):
    """The packages in the image, each with the image files it is in and the
    programs it is linked into; objects of the host's compiler linked into
    programs (path -> programs); notes on what was left out."""
    reach = {a: closure(graph, a) for a in artifacts}
    for p in pkgs.values():
        p["images"] = [a for a in artifacts if any(t in reach[a] for t in p.get("STAMP") or [])]
        p["host"] = p["name"].startswith("host-")
        p["programs"] = dict(pair.partition("=")[::2] for pair in p.get("LINK_MAPS") or [])
    target = [p for p in pkgs.values() if not p["host"]]
    owners = sysroot_owners(sysroot, target)
    own_dirs = [os.path.realpath(d) + "/" for q in target for d in (q.get("DIR"), q.get("OBJ")) if d]
    linked, foreign, prog_images, problems = {}, {}, {}, []
    for p in target:
        if not p["images"]:
            continue
        for prog, mapfile in sorted(p["programs"].items()):
            prog_images[prog] = p["images"]
            if not os.path.isfile(mapfile):
                problems.append(f"{p['name']}: no linker map {mapfile} for {prog}: run 'make' again")
                continue
            for used in map_inputs(mapfile):
                used = os.path.realpath(used)
                if used in owners:
                    linked.setdefault(owners[used], set()).add(prog)
                elif not any(used.startswith(d) for d in own_dirs):
                    foreign.setdefault(used, set()).add(prog)
    if problems:
        raise Problems(problems)
    chosen, notes, libraries = [], [], set(owners.values())
    for p in sorted(target, key=lambda p: p["name"]):
        progs = sorted(linked.get(p["name"], ()))
        p["linked_into"] = progs
        if progs and not p["images"]:
            p["images"] = sorted({a for prog in progs for a in prog_images[prog]})
            notes.append(f"{p['name']} is linked into {' '.join(progs)}, but make's rules do not "
                         "make the image depend on it (a missing prerequisite?)")
        if progs or (p["images"] and p["name"] not in libraries):
            chosen.append(p)
        elif p["images"]:
            notes.append(f"{p['name']} is built, but no program of the image links it: left out")
    return chosen, foreign, notes


def toolchain_rows(foreign):
    """Objects of the host's compiler linked into programs, by Debian package."""
    rows, problems = {}, []
    owners = dpkg_owners(list(foreign))
    for path, progs in sorted(foreign.items()):
        owner = owners[path]
        if owner is None:
            problems.append(f"{path} is linked into {', '.join(sorted(progs))} but belongs to "
                            "no package of this tree and no installed Debian package")
            continue
        row = rows.setdefault(owner["name"], dict(owner, files=set(), programs=set()))
        row["files"].add(os.path.basename(path))
        row["programs"].update(progs)
    if problems:
        raise Problems(problems)
    return [rows[k] for k in sorted(rows)]


def where_text(p):
    progs = sorted(set(p["programs"]) | set(p.get("linked_into", ())))
    if p.get("linked_into") and not p["programs"]:
        return "statically linked into " + " ".join(progs)
    if progs:
        return " ".join(progs)
    return " ".join(os.path.basename(a) for a in p["images"])


def purl(name, version, arch):
    return f"pkg:deb/debian/{name}@{urllib.parse.quote(version, safe='.-_~')}?arch={arch}"


def deb_arch(kind, file):
    if kind != "binary":
        return "source"
    m = re.match(r"^[^_]+_[^_]+_([^_.]+)\.deb$", file)
    return m.group(1) if m else "all"


# --- output -------------------------------------------------------------------

def spdx_id(prefix, name):
    return f"SPDXRef-{prefix}-" + re.sub(r"[^A-Za-z0-9.-]", "-", name)


def build_sbom(args, rows, tool_rows, artifacts):
    packages, relationships = [], []
    art_ids = {}
    for a in artifacts:
        aid = spdx_id("Image", os.path.basename(a))
        art_ids[a] = aid
        packages.append({
            "SPDXID": aid, "name": os.path.basename(a), "versionInfo": args.version,
            "packageFileName": os.path.basename(a), "primaryPackagePurpose": "FIRMWARE",
            "downloadLocation": "NOASSERTION", "filesAnalyzed": False,
            "checksums": [{"algorithm": "SHA256", "checksumValue": sha256(a)}],
            "licenseConcluded": "NOASSERTION", "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "comment": f"out/images/{os.path.basename(a)} of board {args.board}",
        })
        relationships.append({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                              "relatedSpdxElement": aid})
    for p in rows:
        pid = spdx_id("Package", p["name"])
        entry = {
            "SPDXID": pid, "name": p["name"], "versionInfo": p["VERSION"],
            "downloadLocation": "NOASSERTION", "filesAnalyzed": False,
            "licenseConcluded": p["LICENSE"], "licenseDeclared": p["LICENSE"],
            "copyrightText": "NOASSERTION",
            "comment": "in the image: " + where_text(p),
        }
        if "lock" in p:
            lk = p["lock"]
            entry["packageFileName"] = p["SOURCE"]
            entry["checksums"] = [{"algorithm": "SHA256", "checksumValue": p["sha256"]}]
            entry["sourceInfo"] = (f"Debian {lk['kind']} package {p['LOCK']} {lk['version']}"
                                   + (f" of source package {p['debian_source']}" if lk["kind"] != "source" else "")
                                   + f", file {p['SOURCE']} (toolchain/sources.lock)"
                                   + ("; its source: " + ", ".join(p["corresponding"])
                                      if p.get("corresponding") else "")
                                   + ("; NOT FETCHED (see MISSING-SOURCES): "
                                      + ", ".join(m[0] for m in p["missing"]) if p.get("missing") else ""))
            entry["externalRefs"] = [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                                      "referenceLocator": purl(p["LOCK"], lk["version"],
                                                               deb_arch(lk["kind"], p["SOURCE"]))}]
        else:
            entry["sourceInfo"] = "this repository: " + p["VERSION"]
        packages.append(entry)
        for a in p["images"]:
            relationships.append({"spdxElementId": art_ids[a], "relationshipType": "CONTAINS",
                                  "relatedSpdxElement": pid})
    for t in tool_rows:
        pid = spdx_id("Toolchain", t["name"])
        packages.append({
            "SPDXID": pid, "name": t["name"], "versionInfo": t["version"],
            "downloadLocation": "NOASSERTION", "filesAnalyzed": False,
            "licenseConcluded": "NOASSERTION", "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "sourceInfo": f"host compiler's Debian package, source package {t['src']} {t['src_version']}",
            "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                              "referenceLocator": purl(t["name"], t["version"], t["arch"])}],
            "comment": f"{' '.join(sorted(t['files']))} linked into {' '.join(sorted(t['programs']))}",
        })
        for a in artifacts:
            if any(prog in p["programs"] for p in rows if a in p["images"] for prog in t["programs"]):
                relationships.append({"spdxElementId": art_ids[a], "relationshipType": "CONTAINS",
                                      "relatedSpdxElement": pid})
    name = f"tern-{args.board}-{args.version}"
    body = json.dumps([packages, relationships], sort_keys=True)
    ns = uuid.uuid5(uuid.NAMESPACE_URL, name + "\n" + body)
    created = datetime.datetime.fromtimestamp(int(args.created), datetime.timezone.utc)
    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": f"{args.namespace_prefix.rstrip('/')}/{name}-{ns}",
        "creationInfo": {
            "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "creators": ["Tool: tern-legal-info"],
        },
        "packages": packages,
        "relationships": relationships,
    }


COLUMNS = ["package", "version", "license", "debian_package", "debian_version", "debian_source",
           "source", "sha256", "image", "where", "license_files"]


def manifest_rows(rows, tool_rows, lic_names):
    out = []
    for p in rows:
        lk = p.get("lock", {})
        out.append({
            "package": p["name"], "version": p["VERSION"], "license": p["LICENSE"],
            "debian_package": p.get("LOCK", ""), "debian_version": lk.get("version", ""),
            "debian_source": p.get("debian_source", ""),
            "source": " ".join([p.get("SOURCE", "")] + p.get("corresponding", [])).strip(),
            "sha256": p.get("sha256", ""),
            "image": " ".join(os.path.basename(a) for a in p["images"]),
            "where": where_text(p),
            "license_files": " ".join(f"licenses/{p['name']}/{n}" for n in lic_names[p["name"]]),
        })
    for t in tool_rows:
        out.append({
            "package": t["name"], "version": t["version"], "license": "NOASSERTION",
            "debian_package": t["name"], "debian_version": t["version"],
            "debian_source": f"{t['src']} {t['src_version']}",
            "source": "", "sha256": "",
            "image": "", "where": f"host compiler's {' '.join(sorted(t['files']))} linked into "
                                  + " ".join(sorted(t["programs"])),
            "license_files": " ".join(f"licenses/{t['name']}/{n}" for n in lic_names[t["name"]]),
        })
    return out


def write_manifest(outdir, table):
    with open(os.path.join(outdir, "manifest.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(table)
    md = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in table:
        md.append("| " + " | ".join(r[c].replace("|", "\\|") for c in COLUMNS) + " |")
    with open(os.path.join(outdir, "manifest.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")


README = """\
Legal information for the Tern firmware image of board {board}, version {version}.

manifest.csv, manifest.md
    Every package in the image: upstream version, SPDX license, the Debian
    package and version it comes from and that package's Debian source
    package, the file used and its SHA-256 (as recorded in
    toolchain/sources.lock and verified), the image file(s) it is in and
    where in them.  Rows without a source file are our own programs (the
    repository at the version shown) and objects of the host's compiler
    linked into every program (crtbeginS.o, ...; Debian's copyright file
    says under which terms).
sbom.spdx.json
    The same as an SPDX 2.3 document: each image file DESCRIBED, CONTAINS
    each package.
sources/
    The exact files the build unpacked.  The build applies no patches of
    its own or Debian's to them: an .orig tarball is upstream's source,
    linux-source-*.deb holds Debian's already patched kernel tree.  Any
    other .deb is Debian's build of a binary (EFI programs): its source is
    the Debian source package in column debian_source, whose files (.orig
    tarball, Debian's changes, .dsc) are here too, next to the .deb.
licenses/<package>/
    The license texts shipped in each package's source.
configs/
    tern.config is the build's .config; <package>.config the package's own
    Kconfig configuration (kernel, BusyBox) as built.
"""


def license_source_of_tool(t):
    doc = f"/usr/share/doc/{t['name']}/copyright"
    return [("copyright", doc)] if os.path.isfile(doc) else []


def put(dst, src):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if isinstance(src, bytes):
        with open(dst, "wb") as f:
            f.write(src)
    else:
        shutil.copyfile(src, dst)


def link_or_copy(src, dst):
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def main():
    ap = argparse.ArgumentParser(description="Write the legal information of the image.")
    for opt in ("packages", "make-db", "lock", "dl", "images", "sysroot", "config", "board",
                "created", "out"):
        ap.add_argument("--" + opt, required=True)
    ap.add_argument("--goal", default="images")
    ap.add_argument("--namespace-prefix", default="http://spdx.org/spdxdocs")
    args = ap.parse_args()
    try:
        pkgs = read_packages(args.packages)
        if "tern" not in pkgs:
            raise Problems([f"{args.packages} has no package 'tern' (our programs)"])
        args.version = pkgs["tern"].get("VERSION") or "unknown"
        lock = read_lock(args.lock)
        graph = read_make_db(args.make_db)
        artifacts = image_files(graph, args.goal, args.images)
        rows, foreign, notes = select(pkgs, graph, artifacts, args.sysroot)
        problems = []
        for p in rows:
            if p["name"] != "tern":
                problems += check_package(p, lock, args.dl)
            elif p.get("LICENSE") and p["LICENSE"] != "NOASSERTION" and check_license(p["LICENSE"]):
                problems.append(f"tern: TERN_LICENSE '{p['LICENSE']}' is not an SPDX license expression")
        lic = {}
        for p in rows:
            texts = license_texts(p, args.dl)
            if not texts and p["name"] != "tern":
                problems.append(f"{p['name']}: no license text (COPYING, LICENSE, ...) in {p.get('DIR')}: "
                                f"set {p['VAR']}_LICENSE_FILES")
            lic[p["name"]] = texts
        if problems:
            raise Problems(problems)
        tool_rows = toolchain_rows(foreign)
        for t in tool_rows:
            lic[t["name"]] = license_source_of_tool(t)
    except Problems as e:
        for msg in e.args[0]:
            print(f"{PROG}: {msg}", file=sys.stderr)
        print(f"{PROG}: {args.out} left as it was", file=sys.stderr)
        return 1

    tmp = args.out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "sources"))
    os.makedirs(os.path.join(tmp, "configs"))
    for name, texts in lic.items():
        for rel, src in texts:
            put(os.path.join(tmp, "licenses", name, rel), src)
    for p in rows:
        if p.get("SOURCE") and p["name"] != "tern":
            for f in [p["SOURCE"]] + p.get("corresponding", []):
                dst = os.path.join(tmp, "sources", f)
                if not os.path.exists(dst):
                    link_or_copy(os.path.join(args.dl, f), dst)
        for d in (p.get("OBJ"), p.get("DIR")):
            if d and os.path.isfile(os.path.join(d, ".config")):
                put(os.path.join(tmp, "configs", p["name"] + ".config"), os.path.join(d, ".config"))
                break
    put(os.path.join(tmp, "configs", "tern.config"), args.config)
    missing = [(p["name"],) + m for p in rows for m in p.get("missing", [])]
    if missing:
        with open(os.path.join(tmp, "MISSING-SOURCES"), "w", encoding="utf-8") as f:
            f.write("# Source files the image's packages come from that this machine's\n"
                    "# Debian archive did not serve: get each (its SHA-256 is the one in\n"
                    "# toolchain/sources.lock) before publishing.  package file sha256 why\n")
            for m in missing:
                f.write("%s %s %s %s\n" % m)
    write_manifest(tmp, manifest_rows(rows, tool_rows, {k: [n for n, _ in v] for k, v in lic.items()}))
    with open(os.path.join(tmp, "sbom.spdx.json"), "w", encoding="utf-8") as f:
        json.dump(build_sbom(args, rows, tool_rows, artifacts), f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(tmp, "README"), "w", encoding="utf-8") as f:
        f.write(README.format(board=args.board, version=args.version))
    old = args.out + ".old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(args.out):
        os.rename(args.out, old)
    os.rename(tmp, args.out)
    shutil.rmtree(old, ignore_errors=True)
    for n in notes:
        print(f"{PROG}: {n}")
    for m in missing:
        print(f"{PROG}: !!! WARNING: {m[0]}: source file {m[1]} not fetched ({m[3]}): "
              f"named in {args.out}/MISSING-SOURCES; get it before publishing", file=sys.stderr)
    print(f"{PROG}: {len(rows)} packages, {len(tool_rows)} host toolchain package(s) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
