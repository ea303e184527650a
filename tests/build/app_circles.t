#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# No circles in app/: no header that includes itself through others
# (#include "x.h" among app/**/*.h), and no two object files of one
# program that call each other, directly or round a longer circle (a.o
# uses a symbol b.o defines, and b.o, or one it uses, one of a.o's).
# Calls between a program's files go one way, so each file reads on its
# own (app/tftpd/xfer.h lists tftpd's order).  The objects are the
# build's (out/build/app/obj), read with nm: defined against undefined
# symbols.  Each check is first shown to catch a circle planted in a
# scratch directory.
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

TOP = os.environ.get("TERN_TOP", os.getcwd())
OUT = os.environ.get("TERN_OUT", os.path.join(TOP, "out"))
OBJ = os.path.join(OUT, "build", "app", "obj")
n = 0


def ok(good, what, detail=()):
    global n
    n += 1
    print(("ok" if good else "not ok"), n, "-", what)
    for line in detail:
        print("#", line)


def circles(edges):
    """The strongly connected parts of more than one node (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def include_edges(headers, search):
    """header -> the headers of ours it includes, found as the compiler
    would: beside it, then in each of search."""
    edges = {}
    for h in headers:
        with open(h, encoding="utf-8", errors="replace") as f:
            names = INCLUDE.findall(f.read())
        for name in names:
            for d in [os.path.dirname(h)] + search:
                p = os.path.normpath(os.path.join(d, name))
                if p in headers:
                    edges.setdefault(h, set()).add(p)
                    break
    return edges


def symbols(objs):
    """object -> (symbols it defines, symbols it uses): one nm for all."""
    syms = {o: (set(), set()) for o in objs}
    out = subprocess.run(["nm", "-A"] + sorted(objs), capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        obj, _, rest = line.partition(":")  # "a.o:0000 T name", "a.o:     U name"
        f = rest.split()
        if obj not in syms:
            continue
        if len(f) == 2 and f[0] == "U":
            syms[obj][1].add(f[1])
        elif len(f) == 3 and f[1] in "TDBRCVWG":
            syms[obj][0].add(f[2])
    return syms


def call_edges(objs, syms):
    """object -> {object whose symbols it uses: those symbols}."""
    owner = {s: o for o in objs for s in syms[o][0]}
    edges = {}
    for o in objs:
        for s in syms[o][1]:
            d = owner.get(s)
            if d and d != o:
                edges.setdefault(o, {}).setdefault(d, []).append(s)
    return edges


def describe(part, edges, name):
    """A circle's calls, one line each: a -> b (symbols)."""
    lines = []
    for a in part:
        for b, syms in sorted(edges.get(a, {}).items()):
            if b in part:
                lines.append("%s -> %s (%s)" % (name(a), name(b), ", ".join(sorted(syms)[:6])))
    return lines


print("1..4")
if not shutil.which("nm") or not shutil.which("cc"):
    print("Bail out! nm and cc (binutils, gcc: toolchain/host-packages) are needed")
    sys.exit(1)

with tempfile.TemporaryDirectory() as tmp:
    # 1: a planted include circle, a.h -> b.h -> c.h -> a.h
    for a, b in (("a", "b"), ("b", "c"), ("c", "a")):
        with open(os.path.join(tmp, a + ".h"), "w") as f:
            f.write('#include "%s.h"\n' % b)
    hs = set(glob.glob(os.path.join(tmp, "*.h")))
    found = circles(include_edges(hs, []))
    ok(len(found) == 1 and len(found[0]) == 3, "a planted include circle (a.h, b.h, c.h) is found",
       [" ".join(os.path.basename(h) for h in p) for p in found])

    # 2: a planted call circle, a.o -> b.o -> a.o
    src = {"a": "void b_step(int);\nvoid a_step(int n) { if (n) b_step(n - 1); }\n",
           "b": "void a_step(int);\nvoid b_step(int n) { if (n) a_step(n - 1); }\n",
           "c": "void a_step(int);\nvoid c_main(void) { a_step(3); }\n"}
    for name, text in src.items():
        with open(os.path.join(tmp, name + ".c"), "w") as f:
            f.write(text)
        subprocess.run(["cc", "-c", "-o", os.path.join(tmp, name + ".o"),
                        os.path.join(tmp, name + ".c")], check=True)
    objs = sorted(glob.glob(os.path.join(tmp, "*.o")))
    edges = call_edges(objs, symbols(objs))
    found = circles(edges)
    base = os.path.basename
    ok(len(found) == 1 and [base(o) for o in found[0]] == ["a.o", "b.o"],
       "a planted call circle (a.o <-> b.o; c.o only calls in) is found",
       [line for p in found for line in describe(p, edges, base)])

# 3: app/'s headers
os.chdir(TOP)
headers = set(os.path.normpath(h) for h in glob.glob("app/**/*.h", recursive=True))
found = circles(include_edges(headers, ["app/lib"] + sorted(glob.glob("app/*"))))
ok(not found, "no include circle among app/'s %d headers" % len(headers),
   [" ".join(p) for p in found])

# 4: each program's objects (its folder's and app/lib's, of the sources
# there now: an object left by a removed file is not the program's)
lib = [o for o in glob.glob(os.path.join(OBJ, "lib", "*.o"))
       if os.path.exists(os.path.join("app/lib", os.path.basename(o)[:-2] + ".c"))]
programs = {}
for d in sorted(glob.glob("app/*/")):
    prog = os.path.basename(d.rstrip("/"))
    objs = [os.path.join(OBJ, prog, os.path.basename(s)[:-2] + ".o")
            for s in glob.glob(os.path.join(d, "*.c"))]
    if prog != "lib" and objs and all(os.path.exists(o) for o in objs):
        programs[prog] = sorted(objs) + sorted(lib)
    # else a host program, or one off in .config: not built there
syms = symbols({o for objs in programs.values() for o in objs})
progs, bad = sorted(programs), []
for prog in progs:
    edges = call_edges(programs[prog], syms)
    for part in circles(edges):
        bad += ["%s: %s" % (prog, line)
                for line in describe(part, edges, lambda o: os.path.relpath(o, OBJ)[:-2])]
ok(progs and not bad, "no call circle between the object files of %s" % (", ".join(progs) or
                                                                         "any program (none built)"),
   bad)
