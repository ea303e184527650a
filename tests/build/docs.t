#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The docs hold together: README.md is a front door of at most 200 lines
# that links every program's page; every relative link in README.md and in
# the pages under app/, board/, docs/, images/ and tests/bench/ resolves to
# a file in the repository (and a #fragment to a heading or id of that
# file); every repository path named in `code` on those pages exists; and
# each program under app/ has its page, its usage text names that page, and
# every flag its getopt string (or its argv check, or getopt_long's long
# options) accepts is on the page.
# Pure reading: no build, no network.
import glob
import os
import re
import sys

TOP = os.path.realpath(os.environ.get("TERN_TOP")
                       or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
README_MAX_LINES = 200
DOC_DIRS = ("app", "board", "docs", "images", "tests/bench")
# Programs documented on another program's page (when they have none of
# their own).
SHARED_PAGE = {"relayctl": "app/relayd/README.md", "tfw": "images/README.md"}
# Top-level folders whose paths, named in `code`, must exist.
REPO_DIRS = ("app", "board", "docs", "images", "kconfig", "rootfs", "tests", "toolchain")
IGNORED = ("out", "dl")  # never committed (.gitignore)

n = 0


def ok(good, what, why=()):
    global n
    n += 1
    print("%s %d - %s" % ("ok" if good else "not ok", n, what))
    for line in why:
        print("#   " + line)


def rel(path):
    return os.path.relpath(path, TOP)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def prose(text):
    """text with fenced and indented code blocks blanked (lines kept)."""
    out, fenced = [], False
    for line in text.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            out.append("")
        elif fenced or line.startswith("    ") or line.startswith("\t"):
            out.append("")
        else:
            out.append(line)
    return "\n".join(out)


def slug(heading):
    """GitHub's anchor for a heading."""
    h = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip()).lower()
    return re.sub(r"[^\w\- ]", "", h).replace(" ", "-")


def anchors(path):
    text = prose(read(path))
    seen, out = {}, set()
    for m in re.finditer(r"^#{1,6}\s+(.*?)\s*#*\s*$", text, re.M):
        s = slug(m.group(1))
        out.add(s if s not in seen else "%s-%d" % (s, seen[s]))
        seen[s] = seen.get(s, 0) + 1
    out.update(re.findall(r"""<a\s+(?:id|name)=["']([^"']+)["']""", text))
    return out


def links(text):
    """(line number, target) of each link outside code."""
    text = prose(text)
    text = re.sub(r"`[^`\n]*`", lambda m: re.sub(r"[^\n]", "x", m.group(0)), text)
    found = []
    for m in re.finditer(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)", text):
        found.append((text.count("\n", 0, m.start()) + 1, m.group(1)))
    for m in re.finditer(r"^\s{0,3}\[[^\]]+\]:\s*(\S+)", text, re.M):
        found.append((text.count("\n", 0, m.start()) + 1, m.group(1)))
    for m in re.finditer(r"""<a\s+[^>]*href=["']([^"']+)["']""", text):
        found.append((text.count("\n", 0, m.start()) + 1, m.group(1)))
    return found


def bad_links(path):
    bad = []
    for line, target in links(read(path)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
            continue  # https:, mailto: ...: not in the repository
        where = "%s:%d: %s" % (rel(path), line, target)
        file, _, frag = target.partition("#")
        if file.startswith("/"):
            bad.append(where + ": absolute; a link in the repository is relative")
            continue
        dest = os.path.realpath(os.path.join(os.path.dirname(path), file)) if file else path
        inside = os.path.relpath(dest, TOP)
        if inside.startswith("..") or inside.split(os.sep)[0] in IGNORED:
            bad.append(where + ": outside the repository")
        elif not os.path.exists(dest):
            bad.append(where + ": no such file")
        elif frag and dest.endswith(".md") and frag not in anchors(dest):
            bad.append(where + ": no heading or id #%s in %s" % (frag, rel(dest)))
    return bad


def bad_paths(path):
    """Repository paths named in `code` that do not exist."""
    bad = []
    text = prose(read(path))
    for m in re.finditer(r"`([^`\n]+)`", text):
        for word in m.group(1).split():
            word = word.strip("'\",;:()")
            if (not re.match(r"^(%s)/[\w./+-]*$" % "|".join(REPO_DIRS), word)
                    or "..." in word):
                continue
            if not os.path.exists(os.path.join(TOP, word)):
                bad.append("%s:%d: %s: no such file or folder"
                           % (rel(path), text.count("\n", 0, m.start()) + 1, word))
    return bad


def flags(main_c):
    """The option letters a program's main.c accepts."""
    src = read(main_c)
    # the common flags of a server (app/lib/serve.h) or a daemon with a
    # config file (app/lib/daemon.h), named by a macro before its own
    for macro, header in (("SERVE_FLAGS", "serve.h"), ("DAEMON_FLAGS", "daemon.h")):
        common = re.search(r'#define %s "([^"]*)"' % macro,
                           read(os.path.join(TOP, "app", "lib", header)))
        src = re.sub(macro + r"\s*\"", lambda m: '"' + common.group(1), src)
    letters = []
    for opts in re.findall(r"getopt(?:_long)?\s*\([^,]+,[^,]+,\s*\"([^\"]*)\"", src):
        letters += [c for c in opts if c not in ":+-"]
    # getopt_long's long options, as "-name" (the page shows "--name").
    letters += ["-" + o for o in re.findall(r"\{\s*\"([\w-]+)\",\s*(?:no|required|optional)_argument", src)]
    letters += re.findall(r"strcmp\s*\(\s*argv\[\d+\]\s*,\s*\"-(\w)\"\s*\)", src)
    return sorted(set(letters), key=letters.index)


readme = os.path.join(TOP, "README.md")
lines = read(readme).count("\n")
ok(lines <= README_MAX_LINES, "README.md has %d lines, at most %d" % (lines, README_MAX_LINES))

pages = [readme]
for d in DOC_DIRS:
    pages += sorted(glob.glob(os.path.join(TOP, d, "**", "*.md"), recursive=True))
for page in pages:
    ok(not (b := bad_links(page)), "%s: every relative link resolves" % rel(page), b)
    ok(not (b := bad_paths(page)), "%s: every repository path in `code` exists" % rel(page), b)

readme_targets = {os.path.realpath(os.path.join(TOP, t.partition("#")[0]))
                  for _, t in links(read(readme))}
for main_c in sorted(glob.glob(os.path.join(TOP, "app", "*", "main.c"))):
    prog = os.path.basename(os.path.dirname(main_c))
    own = "app/%s/README.md" % prog
    page = own if os.path.exists(os.path.join(TOP, own)) or prog not in SHARED_PAGE \
        else SHARED_PAGE[prog]
    path = os.path.join(TOP, page)
    if not os.path.exists(path):
        ok(False, "%s: its page %s exists" % (prog, page))
        continue
    ok(os.path.realpath(path) in readme_targets, "%s: README.md links its page %s" % (prog, page))
    usage = re.search(r"#define USAGE\b((?:.*\\\n)*.*)", read(main_c))
    ok(usage is not None and page in usage.group(1), "%s: its usage text names %s" % (prog, page))
    text = read(path)
    letters = flags(main_c)
    # Documented: a table row or a list item that starts with the flag.
    missing = [c for c in letters
               if not re.search(r"^\s*(\|\s*|[-*]\s+)`-%s(?![\w-])" % re.escape(c), text, re.M)]
    ok(letters and not missing,
       "%s: each of its flags (%s) is on %s" % (prog, " ".join("-" + c for c in letters), page),
       ["-%s is accepted by %s but starts no table row or list item of the page"
        % (c, rel(main_c)) for c in missing])

print("1..%d" % n)
sys.exit(0)
