#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""kconfig.py -- Tern's glue around Debian's python3-kconfiglib.

usage: kconfig.py COMMAND [ARG]

  defconfig FILE     write .config from a (minimal) defconfig FILE
  olddefconfig       rewrite .config: keep set values, default new symbols
  savedefconfig FILE write the minimal defconfig for .config to FILE
  genconfig OUTDIR   check .config, then write OUTDIR/config.h (C),
                     OUTDIR/auto.mk (Make) and OUTDIR/kconfig/deps/ (one
                     file per symbol, touched when its value changes)

The .config path is $KCONFIG_CONFIG (default .config).  Errors name the
file and what to run; the exit code is 100 for usage, 1 for a bad config.
"""
import os
import sys

try:
    import kconfiglib
except ImportError:
    sys.exit("kconfig: python3-kconfiglib is missing: run "
             "'toolchain/host-deps.sh' (or apt-get install python3-kconfiglib)")

# Paths given on the command line are taken from where we were started;
# Kconfig files are read from the top of the tree.
CONFIG = os.path.abspath(os.environ.get("KCONFIG_CONFIG", ".config"))
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fail(msg):
    sys.stderr.write("kconfig: " + msg + "\n")
    sys.exit(1)


def load_kconfig():
    kconf = kconfiglib.Kconfig("Kconfig", warn_to_stderr=False)
    kconf.warn_assign_undef = True
    kconf.warn_assign_override = False
    kconf.warn_assign_redun = False
    return kconf


def load_checked(kconf, path, fix):
    """Load path; on any warning (unknown symbol, bad value, value that
    does not take) stop and say what to do."""
    if not os.path.exists(path):
        fail("%s does not exist: run 'make <board>_defconfig' "
             "(see 'make help')" % path)
    kconf.load_config(path)
    if kconf.warnings:
        for w in kconf.warnings:
            sys.stderr.write("kconfig: %s\n" % w.replace("\n", " "))
        fail("%s has the problems above: %s" % (path, fix))


def config_body(kconf):
    # What write_config would produce, without its header comment line.
    return kconf._config_contents(None)


def cmd_defconfig(path):
    kconf = load_kconfig()
    load_checked(kconf, path, "fix that defconfig")
    print(kconf.write_config(CONFIG, save_old=False))


def cmd_olddefconfig():
    kconf = load_kconfig()
    if os.path.exists(CONFIG):
        kconf.load_config(CONFIG)
        for w in kconf.warnings:
            sys.stderr.write("kconfig: %s (dropped)\n" % w.replace("\n", " "))
    print(kconf.write_config(CONFIG, save_old=False))


def cmd_savedefconfig(path):
    kconf = load_kconfig()
    load_checked(kconf, CONFIG, "run 'make menuconfig' or 'make olddefconfig'")
    print(kconf.write_min_config(path))


def make_value(sym):
    """A symbol's value as a Make variable value (unquoted)."""
    v = sym.str_value
    return v.replace("$", "$$").replace("#", "\\#")


def cmd_genconfig(outdir):
    kconf = load_kconfig()
    load_checked(kconf, CONFIG, "run 'make olddefconfig' to drop or default "
                 "what is wrong, or 'make menuconfig' to fix it by hand")
    with open(CONFIG) as f:
        old = f.read()
    # A .config written before Kconfig changed lacks new symbols (or has
    # stale ones): refuse to guess, as the kernel's syncconfig would ask.
    if old.split("\n", 1)[-1] != config_body(kconf).split("\n", 1)[-1]:
        fail("%s is out of date with the Kconfig files (new or changed "
             "symbols): run 'make olddefconfig' to take the defaults, or "
             "'make menuconfig'" % CONFIG)

    os.makedirs(outdir, exist_ok=True)
    kconf.write_autoconf(os.path.join(outdir, "config.h"),
                         "/* Generated from %s by kconfig/kconfig.py; "
                         "do not edit. */\n" % CONFIG)
    lines = ["# Generated from %s by kconfig/kconfig.py; do not edit.\n"
             % CONFIG]
    for sym in kconf.unique_defined_syms:
        # config_string is what .config gets: empty for a symbol that is
        # not written, "# ... is not set" for a bool that is n.
        if sym.config_string.startswith("CONFIG_"):
            lines.append("CONFIG_%s := %s\n" % (sym.name, make_value(sym)))
    write_if_changed(os.path.join(outdir, "auto.mk"), "".join(lines))
    os.makedirs(os.path.join(outdir, "kconfig"), exist_ok=True)
    kconf.sync_deps(os.path.join(outdir, "kconfig", "deps"))


def write_if_changed(path, text):
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except OSError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    cmds = {"defconfig": (cmd_defconfig, 1), "olddefconfig": (cmd_olddefconfig, 0),
            "savedefconfig": (cmd_savedefconfig, 1), "genconfig": (cmd_genconfig, 1)}
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][1]:
        sys.stderr.write(__doc__)
        sys.exit(100)
    fn, _ = cmds[argv[1]]
    args = [os.path.abspath(a) for a in argv[2:]]
    os.chdir(TOP)
    fn(*args)


if __name__ == "__main__":
    main(sys.argv)
