/* SPDX-License-Identifier: MIT */
/* output.h -- what services write, to the console and the kernel log.
 *
 * Each service's stdout and stderr are one pipe to init.  init cuts what
 * arrives into lines and writes each as "name: text" to the console and as
 * "<30>name: text" (facility daemon, level info) to /dev/kmsg, where dmesg
 * and a serial console both keep it.  A line that already starts with
 * "name: " (our daemons log so) is not prefixed twice.  When the kernel would print that
 * kmsg record on the console anyway (console_loglevel above 6, i.e. no
 * "quiet"), init does not write it there a second time.
 *
 * The console is opened a second time, non-blocking: a service that
 * floods a 115200-baud serial line loses lines (counted, and reported on
 * the console once it drains) instead of stalling PID 1.
 */
#ifndef TERN_INIT_OUTPUT_H
#define TERN_INIT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#define OUTPUT_LINE_MAX 480 /* longer lines are cut in pieces this long */

/* A partial line, kept until its newline arrives. */
struct outbuf {
	size_t len;
	char buf[OUTPUT_LINE_MAX];
};

typedef void output_emit_fn(void *ctx, const char *line, size_t len);

/* Add n bytes of data to b and call emit for every line completed (without
 * its newline; a full buffer counts as a line).  Pure: no I/O. */
void output_feed(struct outbuf *b, const char *data, size_t n,
		 output_emit_fn *emit, void *ctx);

/* Read what fd (non-blocking) holds and write out its lines as name's.
 * Returns false at end of file or on a read error other than EAGAIN. */
bool output_drain(int fd, struct outbuf *b, const char *name);

/* Write out the partial line in b, if any. */
void output_flush(struct outbuf *b, const char *name);

/* Write one line of name's (len bytes, no newline) to the console and the
 * kernel log.  The console and /dev/kmsg are opened at the first call and
 * after output_reopen(). */
void output_line(const char *name, const char *line, size_t len);

/* Look at the console log level again, and reopen the console and
 * /dev/kmsg (after a reload: kernel.printk may have changed). */
void output_reopen(void);

#endif
