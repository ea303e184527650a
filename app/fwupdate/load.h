/* SPDX-License-Identifier: MIT */
/* load.h -- a whole file into RAM: what is verified is what is written,
 * whatever happens to the file meanwhile. */
#ifndef TERN_LOAD_H
#define TERN_LOAD_H

#include <stddef.h>
#include <stdint.h>

/* Read fd to its end into a malloc'd *buf of *len bytes; -1 with errno
 * set on failure, EFBIG when it holds more than max bytes (nothing past
 * max+1 is read). */
int load_fd(int fd, size_t max, uint8_t **buf, size_t *len);
/* load_fd on path ("-": standard input). */
int load_file(const char *path, size_t max, uint8_t **buf, size_t *len);

#endif
