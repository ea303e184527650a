/* boot.h -- early boot: file systems, console, hostname. */
#ifndef TERN_INIT_BOOT_H
#define TERN_INIT_BOOT_H

#include <stddef.h>

/* The directory every path init opens is relative to: "" on a real boot,
 * $TERN_INIT_ROOT in test mode. */
extern const char *init_root;

/* init_root + path into buf (size bytes); returns buf. */
char *rooted(char *buf, size_t size, const char *path);

/* Mount /proc, /sys, /dev, /dev/pts, /run and /tmp (already mounted is
 * fine); put the console on fds 0-2 if they are closed. */
void boot_mounts(void);
void boot_console(void);
void boot_hostname(const char *name);
/* Read a whole small file into buf (NUL-terminated); -1 on error. */
int read_file(const char *path, char *buf, size_t size);

#endif
