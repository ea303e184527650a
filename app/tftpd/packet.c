/* SPDX-License-Identifier: MIT */
/* packet.c -- see packet.h.  Pure, table-driven, and never reads a byte
 * outside [buf, buf + len): every string is found with memchr bounded by
 * the packet's end, so a missing NUL is an error, never an overrun. */
#include "packet.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* What to do with a known option's value outside [min, max]. */
enum out_of_range {
	RANGE_REFUSE, /* ERROR 8: no acceptable answer exists */
	RANGE_IGNORE, /* leave the option out of the OACK (RFC 2347 allows it) */
	RANGE_KEEP,   /* keep it: the server answers with a smaller value */
};

static const struct {
	const char *name;
	uint64_t min, max;
	enum out_of_range below, above;
} option_table[TFTP_OPT_COUNT] = {
	/* RFC 2348: "Valid values range between 8 and 65464"; the OACK may
	 * carry a smaller value than asked, never a larger one, so a request
	 * above 65464 is answered with the server's maximum and one below 8
	 * has no valid answer at all. */
	[TFTP_OPT_BLKSIZE] = { "blksize", TFTP_BLKSIZE_MIN, TFTP_BLKSIZE_MAX,
			       RANGE_REFUSE, RANGE_KEEP },
	/* RFC 2349: 1..255 seconds, and the OACK "must match the value
	 * specified by the client": no alternate value exists, so a value out
	 * of range is not acknowledged and the server's own timeout applies. */
	[TFTP_OPT_TIMEOUT] = { "timeout", TFTP_TIMEOUT_MIN, TFTP_TIMEOUT_MAX,
			       RANGE_IGNORE, RANGE_IGNORE },
	/* RFC 2349: any size; 0 in an RRQ. */
	[TFTP_OPT_TSIZE] = { "tsize", 0, UINT64_MAX, RANGE_KEEP, RANGE_KEEP },
	/* RFC 7440: 1..65535 blocks; the OACK may carry a smaller value. */
	[TFTP_OPT_WINDOWSIZE] = { "windowsize", 1, TFTP_WINDOWSIZE_MAX,
				  RANGE_REFUSE, RANGE_KEEP },
};

/* RFC 1350 section 5 lists "mail"; it delivers to a user, not a file. */
static const struct {
	const char *name;
	enum tftp_mode mode;
	enum tftp_cause cause;
} mode_table[] = {
	{ "netascii", TFTP_NETASCII, TFTP_OK },
	{ "octet", TFTP_OCTET, TFTP_OK },
	{ "mail", TFTP_OCTET, TFTP_MAIL_MODE },
};

static const struct {
	const char *message;
	enum tftp_error code;
} cause_table[TFTP_CAUSE_COUNT] = {
	[TFTP_OK] = { "no error", TFTP_EUNDEF },
	[TFTP_TRUNCATED] = { "truncated packet", TFTP_EBADOP },
	[TFTP_OVERSIZED] = { "packet too large", TFTP_EBADOP },
	[TFTP_BAD_OPCODE] = { "unknown opcode", TFTP_EBADOP },
	[TFTP_MISSING_NUL] = { "string not NUL-terminated", TFTP_EBADOP },
	[TFTP_EMPTY_FILENAME] = { "empty filename", TFTP_EBADOP },
	[TFTP_BAD_MODE] = { "unknown transfer mode", TFTP_EBADOP },
	[TFTP_MAIL_MODE] = { "mail mode not supported", TFTP_EBADOP },
	[TFTP_EMPTY_OPTION_NAME] = { "empty option name", TFTP_EOPTION },
	[TFTP_OPTION_NO_VALUE] = { "option without value", TFTP_EOPTION },
	[TFTP_NON_NUMERIC_VALUE] = { "option value not a number", TFTP_EOPTION },
	[TFTP_VALUE_OUT_OF_RANGE] = { "option value out of range", TFTP_EOPTION },
	[TFTP_DUPLICATE_OPTION] = { "option given twice", TFTP_EOPTION },
	/* RFC 2349 has a client that cannot take a file of the OACK's tsize
	 * abort with error 3; a server refusing a WRQ's tsize does the same. */
	[TFTP_UPLOAD_TOO_LARGE] = { "file too large", TFTP_ENOSPACE },
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* a equals the NUL-terminated lower-case b, ignoring ASCII case only (no
 * locale: strcasecmp would follow one). */
static bool name_is(const char *a, size_t len, const char *b)
{
	for (size_t i = 0; i < len; i++) {
		char c = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] - 'A' + 'a') : a[i];
		if (c != b[i])
			return false;
	}
	return b[len] == '\0';
}

/* The NUL-terminated string at *p: its start and length; *p moves past
 * its NUL.  False when no NUL comes before end. */
static bool take_string(const uint8_t **p, const uint8_t *end, const char **s, size_t *len)
{
	const uint8_t *nul = memchr(*p, '\0', (size_t)(end - *p));

	if (!nul)
		return false;
	*s = (const char *)*p;
	*len = (size_t)(nul - *p);
	*p = nul + 1;
	return true;
}

static enum tftp_cause parse_number(const char *s, size_t len, uint64_t *v)
{
	*v = 0;
	if (len == 0)
		return TFTP_NON_NUMERIC_VALUE;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return TFTP_NON_NUMERIC_VALUE;
	if (len > TFTP_VALUE_DIGITS)
		return TFTP_VALUE_OUT_OF_RANGE;
	for (size_t i = 0; i < len; i++)
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	return TFTP_OK;
}

static int find_option(const char *name, size_t len)
{
	for (int o = 0; o < TFTP_OPT_COUNT; o++)
		if (name_is(name, len, option_table[o].name))
			return o;
	return -1;
}

/* One known option o with its value; seen collects the options met so far,
 * kept or not, to catch duplicates. */
static enum tftp_cause take_option(int o, const char *value, size_t len, bool read,
				   unsigned *seen, struct tftp_options *opts)
{
	uint64_t v;
	enum tftp_cause c;
	enum out_of_range action = RANGE_KEEP;

	if (*seen & 1u << o)
		return TFTP_DUPLICATE_OPTION;
	*seen |= 1u << o;
	c = parse_number(value, len, &v);
	/* In a read request tsize only asks for the size: RFC 2349 has the
	 * client send 0, and the value is never used.  atftp sends "enable"
	 * (its --option "tsize enable"), as tftpd-hpa and atftpd accept. */
	if (c == TFTP_NON_NUMERIC_VALUE && read && o == TFTP_OPT_TSIZE) {
		v = 0;
		c = TFTP_OK;
	}
	if (c != TFTP_OK)
		return c;
	if (v < option_table[o].min)
		action = option_table[o].below;
	else if (v > option_table[o].max)
		action = option_table[o].above;
	if (action == RANGE_REFUSE)
		return TFTP_VALUE_OUT_OF_RANGE;
	if (action == RANGE_KEEP) {
		opts->mask |= 1u << o;
		opts->value[o] = v;
	}
	return TFTP_OK;
}

static bool only_padding(const uint8_t *p, const uint8_t *end)
{
	for (; p < end; p++)
		if (*p)
			return false;
	return true;
}

static enum tftp_cause parse_options(const uint8_t *p, const uint8_t *end, bool read,
				     struct tftp_options *opts)
{
	unsigned seen = 0;

	opts->mask = 0;
	while (p < end) {
		const char *name, *value;
		size_t name_len, value_len;
		enum tftp_cause c;
		int o;

		if (*p == '\0')
			return only_padding(p, end) ? TFTP_OK : TFTP_EMPTY_OPTION_NAME;
		if (!take_string(&p, end, &name, &name_len))
			return TFTP_MISSING_NUL;
		if (p == end)
			return TFTP_OPTION_NO_VALUE;
		if (!take_string(&p, end, &value, &value_len))
			return TFTP_MISSING_NUL;
		if ((o = find_option(name, name_len)) < 0)
			continue;
		if ((c = take_option(o, value, value_len, read, &seen, opts)) != TFTP_OK)
			return c;
	}
	return TFTP_OK;
}

static enum tftp_cause parse_request(const uint8_t *buf, size_t len, struct tftp_packet *pkt)
{
	const uint8_t *p = buf + 2, *end = buf + len;
	struct tftp_request *r = &pkt->req;
	const char *mode;
	size_t mode_len;

	if (!take_string(&p, end, &r->filename, &r->filename_len))
		return TFTP_MISSING_NUL;
	if (r->filename_len == 0)
		return TFTP_EMPTY_FILENAME;
	if (!take_string(&p, end, &mode, &mode_len))
		return TFTP_MISSING_NUL;
	for (size_t i = 0; i < sizeof mode_table / sizeof mode_table[0]; i++) {
		if (!name_is(mode, mode_len, mode_table[i].name))
			continue;
		if (mode_table[i].cause != TFTP_OK)
			return mode_table[i].cause;
		r->mode = mode_table[i].mode;
		return parse_options(p, end, pkt->opcode == TFTP_RRQ, &r->opts);
	}
	return TFTP_BAD_MODE;
}

static enum tftp_cause parse_data(const uint8_t *buf, size_t len, struct tftp_packet *pkt)
{
	pkt->data.block = get16(buf + 2);
	pkt->data.data = buf + TFTP_HEADER;
	pkt->data.len = len - TFTP_HEADER;
	return TFTP_OK;
}

static enum tftp_cause parse_ack(const uint8_t *buf, size_t len, struct tftp_packet *pkt)
{
	(void)len;
	pkt->ack = get16(buf + 2);
	return TFTP_OK;
}

static enum tftp_cause parse_error(const uint8_t *buf, size_t len, struct tftp_packet *pkt)
{
	const uint8_t *p = buf + TFTP_HEADER;
	size_t msg_len;

	pkt->error.code = get16(buf + 2);
	pkt->error.message = NULL;
	return take_string(&p, buf + len, &pkt->error.message, &msg_len) ? TFTP_OK
									  : TFTP_MISSING_NUL;
}

/* What a client may send; OACK goes the other way. */
static const struct {
	size_t min_len;
	enum tftp_cause (*parse)(const uint8_t *buf, size_t len, struct tftp_packet *pkt);
} opcode_table[] = {
	[TFTP_RRQ] = { 2, parse_request },
	[TFTP_WRQ] = { 2, parse_request },
	[TFTP_DATA] = { TFTP_HEADER, parse_data },
	[TFTP_ACK] = { TFTP_HEADER, parse_ack },
	[TFTP_ERROR] = { TFTP_HEADER, parse_error },
};

enum tftp_cause tftp_parse(const void *buf, size_t len, struct tftp_packet *p)
{
	const uint8_t *b = buf;
	unsigned op;

	if (len > TFTP_PACKET_MAX)
		return TFTP_OVERSIZED;
	if (len < 2)
		return TFTP_TRUNCATED;
	op = get16(b);
	if (op >= sizeof opcode_table / sizeof opcode_table[0] || !opcode_table[op].parse)
		return TFTP_BAD_OPCODE;
	p->opcode = (enum tftp_opcode)op;
	if (len < opcode_table[op].min_len)
		return TFTP_TRUNCATED;
	return opcode_table[op].parse(b, len, p);
}

enum tftp_error tftp_cause_code(enum tftp_cause c)
{
	return (unsigned)c < TFTP_CAUSE_COUNT ? cause_table[c].code : TFTP_EUNDEF;
}

const char *tftp_cause_message(enum tftp_cause c)
{
	return (unsigned)c < TFTP_CAUSE_COUNT ? cause_table[c].message : "unknown cause";
}

const char *tftp_option_name(enum tftp_option o)
{
	return (unsigned)o < TFTP_OPT_COUNT ? option_table[o].name : "?";
}

size_t tftp_build_error(void *buf, size_t size, enum tftp_error code, const char *message)
{
	uint8_t *b = buf;
	size_t n;

	if (size < TFTP_HEADER + 1)
		return 0;
	n = strnlen(message, size - TFTP_HEADER - 1);
	put16(b, TFTP_ERROR);
	put16(b + 2, code);
	memcpy(b + TFTP_HEADER, message, n);
	b[TFTP_HEADER + n] = '\0';
	return TFTP_HEADER + n + 1;
}

size_t tftp_build_oack(void *buf, size_t size, const struct tftp_options *opts)
{
	uint8_t out[TFTP_OACK_MAX];
	size_t len = 2;

	if (!(opts->mask & ((1u << TFTP_OPT_COUNT) - 1)))
		return 0;
	put16(out, TFTP_OACK);
	for (int o = 0; o < TFTP_OPT_COUNT; o++) {
		if (!(opts->mask & 1u << o))
			continue;
		/* "name\0value\0": snprintf's own NUL ends each string. */
		len += (size_t)snprintf((char *)out + len, sizeof out - len, "%s", option_table[o].name) + 1;
		len += (size_t)snprintf((char *)out + len, sizeof out - len, "%" PRIu64, opts->value[o]) + 1;
	}
	if (len > size)
		return 0;
	memcpy(buf, out, len);
	return len;
}

/* The 4 bytes opcode, number. */
static size_t build_header(void *buf, size_t size, enum tftp_opcode op, uint16_t n)
{
	if (size < TFTP_HEADER)
		return 0;
	put16(buf, op);
	put16((uint8_t *)buf + 2, n);
	return TFTP_HEADER;
}

size_t tftp_build_data_header(void *buf, size_t size, uint16_t block)
{
	return build_header(buf, size, TFTP_DATA, block);
}

size_t tftp_build_ack(void *buf, size_t size, uint16_t block)
{
	return build_header(buf, size, TFTP_ACK, block);
}

/* path_open's errno (path.h) as an ERROR code. */
static const struct {
	int err;
	enum tftp_error code;
} errno_table[] = {
	{ ENOENT, TFTP_ENOTFOUND },  { ENOTDIR, TFTP_ENOTFOUND },
	{ ENAMETOOLONG, TFTP_ENOTFOUND },
	{ EACCES, TFTP_EACCESS },    { EPERM, TFTP_EACCESS },
	{ EXDEV, TFTP_EACCESS },     { ELOOP, TFTP_EACCESS },
	{ EISDIR, TFTP_EACCESS },    { EROFS, TFTP_EACCESS },
	{ ENOSPC, TFTP_ENOSPACE },   { EDQUOT, TFTP_ENOSPACE },
	{ EFBIG, TFTP_ENOSPACE },    { EEXIST, TFTP_EEXISTS },
};

enum tftp_error path_errno_code(int err)
{
	for (size_t i = 0; i < sizeof errno_table / sizeof errno_table[0]; i++)
		if (errno_table[i].err == err)
			return errno_table[i].code;
	return TFTP_EUNDEF;
}
