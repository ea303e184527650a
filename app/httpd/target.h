/* SPDX-License-Identifier: MIT */
/* target.h -- a request target to the file it names under the root.  Pure.
 *
 * The path part of an origin-form target ("/boot/vmlinuz?x=1": the query
 * is dropped) is percent-decoded, then checked by the path policy every
 * file server shares (path.h).  Refused, with the status to answer:
 *   400  a bad escape ("%", "%4", "%zz"), an escape of NUL ("%00"), of
 *        '/' ("%2f": a separator in disguise), of '\' ("%5c"), a literal
 *        '\' or '#', any control character after decoding, a byte that
 *        is not well-formed UTF-8 after decoding (RFC 3629: overlong forms
 *        such as "%c0%ae" for '.', surrogates, over U+10FFFF), and names
 *        too long (414);
 *   403  a ".." component in any spelling: "..", "%2e%2e", ".%2E", ...
 *        (the decoding happens before the check, so every spelling is the
 *        same two bytes);
 *   404  nothing left to name ("/", "//"): no directory listings.
 * "." components and repeated slashes are harmless and kept: the kernel
 * resolves them beneath the root (path_open).
 */
#ifndef TERN_HTTPD_TARGET_H
#define TERN_HTTPD_TARGET_H

#include <stddef.h>

enum target_cause {
	TARGET_OK,
	TARGET_BAD_ESCAPE,
	TARGET_ESCAPED_NUL,
	TARGET_ESCAPED_SLASH,
	TARGET_BACKSLASH,
	TARGET_FRAGMENT,
	TARGET_BAD_UTF8,
	TARGET_CONTROL_CHAR,
	TARGET_TOO_LONG,
	TARGET_DOTDOT,
	TARGET_EMPTY,
	TARGET_CAUSE_COUNT
};

/* Decode the target (len bytes) into out (size bytes) as the relative
 * path to open, NUL-terminated. */
enum target_cause target_decode(const char *target, size_t len, char *out, size_t size);

/* The HTTP status for a cause (200 for TARGET_OK), and words for the log. */
int target_status(enum target_cause c);
const char *target_cause_message(enum target_cause c);

#endif
