/* SPDX-License-Identifier: MIT */
/* root.h -- where init's files are.
 *
 * On a real boot every path is what it says.  In test mode (the
 * environment variable TERN_INIT_ROOT=DIR, for host tests that run init as
 * PID 1 of a fresh PID namespace) every absolute path init opens, from
 * /proc/cmdline to /etc/tern/services and /dev/console, is DIR + path.
 * Besides this prefix, test mode only skips the early-boot mounts and
 * Ctrl-Alt-Del, and exits 0 where a real boot would call reboot(2).
 */
#ifndef TERN_INIT_ROOT_H
#define TERN_INIT_ROOT_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

/* NULL or "": a real boot; otherwise the test root (at most ROOT_DIR_MAX
 * bytes, which leaves room for every path init builds). */
#define ROOT_DIR_MAX 2048
int root_set(const char *dir);
bool root_test_mode(void);

/* path as init must open it: path itself, or DIR + path in buf.  NULL with
 * errno ENAMETOOLONG when that does not fit in size bytes. */
const char *root_path(const char *path, char *buf, size_t size);

/* open(2) of root_path(path), always O_CLOEXEC. */
int root_open(const char *path, int flags);

/* conf_read() and a conf_read_small_fd() of root_path(path); messages
 * name path as init sees it. */
int root_conf_read(const char *path, conf_line_fn *fn, void *ctx);
ssize_t root_read_small(const char *path, char *buf, size_t size);

#endif
