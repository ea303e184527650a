/* SPDX-License-Identifier: MIT */
/* text.h -- text that grows (an answer to relayctl, the counters), and
 * logging it a line at a time. */
#ifndef TERN_RELAYD_TEXT_H
#define TERN_RELAYD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

struct text {
	char *p;
	size_t len, cap;
	bool failed;          /* out of memory: the text is cut */
};

void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Each line of t logged with prefix. */
void log_lines(const char *prefix, const struct text *t);

#endif
