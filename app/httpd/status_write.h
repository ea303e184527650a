/* SPDX-License-Identifier: MIT */
/* status_write.h -- the text the status pages are made of: a growing
 * buffer, and bytes a client chose (a vendor class, a file name, a host
 * name) written safely into HTML, JSON and Prometheus label values.  Pure.
 *
 * Such bytes are shown as they are when they are printable, well-formed
 * UTF-8; every other byte (a control character, a byte of a broken or
 * overlong sequence, DEL) is shown as the four characters \xNN, so the
 * page says what was sent and still holds nothing but text.  Then each
 * format escapes its own specials:
 *   HTML   & < > " '  as entities (text and attribute values alike);
 *   JSON   " and \  with a backslash (the output is valid UTF-8, and
 *          python's json reads it back to the display form);
 *   label  \ " and newline as \\ \" \n (Prometheus text format 0.0.4;
 *          newlines never survive the display form, escaped anyway).
 */
#ifndef TERN_HTTPD_STATUS_WRITE_H
#define TERN_HTTPD_STATUS_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct sbuf {
	char *p;
	size_t len, size;
	bool failed;   /* an allocation failed: the text is cut short */
};

/* Append printf-formatted text (for trusted text: our own words and numbers). */
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_bytes(struct sbuf *b, const void *p, size_t n);
static inline void sb_str(struct sbuf *b, const char *s)
{
	sb_bytes(b, s, strlen(s));
}

enum sb_format { SB_HTML, SB_JSON, SB_LABEL };

/* Untrusted bytes p[0..n) in their display form, escaped for format
 * (JSON: without the quotes). */
void sb_untrusted(struct sbuf *b, enum sb_format format, const void *p, size_t n);
static inline void sb_html(struct sbuf *b, const char *s)
{
	sb_untrusted(b, SB_HTML, s, strlen(s));
}
/* A JSON string: the quotes and what is between them. */
void sb_json_str(struct sbuf *b, const void *p, size_t n);
static inline void sb_json(struct sbuf *b, const char *s)
{
	sb_json_str(b, s, strlen(s));
}

/* A MAC address as text, "52:54:00:12:34:56". */
void mac_text(char out[18], const unsigned char mac[6]);

/* Free the buffer's memory. */
void sb_free(struct sbuf *b);

#endif
