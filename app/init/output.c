/* SPDX-License-Identifier: MIT */
/* output.c -- see output.h. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "root.h"
#include "services.h"

#define KMSG_PREFIX "<30>" /* LOG_DAEMON | LOG_INFO */
#define KMSG_LEVEL 6       /* the LOG_INFO above */

static bool opened;
static int console_fd = -1; /* -1: init's stdout (test mode: no dev/console) */
static int kmsg_fd = -1;
static bool console_too;    /* the kernel does not echo our kmsg lines */
static unsigned long dropped; /* console lines lost since the last report */

void output_feed(struct outbuf *b, const char *data, size_t n,
		 output_emit_fn *emit, void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n') {
			size_t len = b->len;

			if (len && b->buf[len - 1] == '\r')
				len--;
			emit(ctx, b->buf, len);
			b->len = 0;
			continue;
		}
		if (b->len == sizeof b->buf) {
			emit(ctx, b->buf, b->len);
			b->len = 0;
		}
		b->buf[b->len++] = data[i];
	}
}

/* The first number of /proc/sys/kernel/printk; -1 if unknown. */
static int console_loglevel(void)
{
	char text[64];
	int level;

	if (root_read_small("/proc/sys/kernel/printk", text, sizeof text) <= 0 ||
	    sscanf(text, "%d", &level) != 1)
		return -1;
	return level;
}

static void output_open(void)
{
	console_fd = root_open("/dev/console", O_WRONLY | O_NOCTTY | O_NONBLOCK);
	kmsg_fd = root_open("/dev/kmsg", O_WRONLY | O_APPEND);
	console_too = kmsg_fd < 0 || console_loglevel() <= KMSG_LEVEL;
	opened = true;
}

void output_reopen(void)
{
	if (console_fd >= 0)
		close(console_fd);
	if (kmsg_fd >= 0)
		close(kmsg_fd);
	output_open();
}

/* One write(2) of the whole line, or none: a line is never torn. */
static bool put(int fd, const char *buf, size_t len)
{
	ssize_t w;

	while ((w = write(fd, buf, len)) < 0 && errno == EINTR)
		;
	return w == (ssize_t)len;
}

static void to_console(const char *buf, size_t len)
{
	int fd = console_fd >= 0 ? console_fd : STDOUT_FILENO;

	if (dropped) {
		char note[96];
		int n = snprintf(note, sizeof note,
				 "init: %lu line(s) of service output dropped: console busy\n",
				 dropped);

		if (!put(fd, note, (size_t)n))
			goto lost;
		dropped = 0;
	}
	if (put(fd, buf, len))
		return;
lost:
	dropped++;
}

void output_line(const char *name, const char *line, size_t len)
{
	/* "<30>" name ": " line "\n" */
	char buf[sizeof KMSG_PREFIX + SERVICE_NAME_MAX + 2 + OUTPUT_LINE_MAX + 1];
	size_t pre = sizeof KMSG_PREFIX - 1, n = pre;
	size_t name_len = strnlen(name, SERVICE_NAME_MAX);

	if (!opened)
		output_open();
	if (len > OUTPUT_LINE_MAX)
		len = OUTPUT_LINE_MAX;
	/* Our daemons name themselves ("tftpd: ..."): not "tftpd: tftpd: ...". */
	if (len > name_len + 1 && !memcmp(line, name, name_len) && line[name_len] == ':' &&
	    line[name_len + 1] == ' ') {
		line += name_len + 2;
		len -= name_len + 2;
	}
	memcpy(buf, KMSG_PREFIX, pre);
	memcpy(buf + n, name, name_len);
	n += name_len;
	memcpy(buf + n, ": ", 2);
	n += 2;
	memcpy(buf + n, line, len);
	n += len;
	buf[n++] = '\n';
	if (kmsg_fd >= 0)
		put(kmsg_fd, buf, n); /* lost only if the kernel refuses it */
	if (console_too)
		to_console(buf + pre, n - pre);
}

struct emit_ctx {
	const char *name;
};

static void emit(void *ctx, const char *line, size_t len)
{
	output_line(((struct emit_ctx *)ctx)->name, line, len);
}

bool output_drain(int fd, struct outbuf *b, const char *name)
{
	struct emit_ctx ctx = { name };
	char chunk[4096];

	/* A bounded helping: a service that writes without pause must not
	 * keep init from its other work.  poll(2) brings us back. */
	for (int reads = 0; reads < 16; reads++) {
		ssize_t n = read(fd, chunk, sizeof chunk);

		if (n > 0) {
			output_feed(b, chunk, (size_t)n, emit, &ctx);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 && errno == EAGAIN;
	}
	return true;
}

void output_flush(struct outbuf *b, const char *name)
{
	if (b->len)
		output_line(name, b->buf, b->len);
	b->len = 0;
}
