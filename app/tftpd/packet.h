/* SPDX-License-Identifier: MIT */
/* packet.h -- TFTP packets from clients, parsed; packets to clients, built.
 *
 * RFC 1350 (TFTP), RFC 2347 (options), RFC 2348 (blksize), RFC 2349
 * (timeout, tsize), RFC 7440 (windowsize).  Pure: bytes in, struct out, no
 * I/O, nothing copied: a parsed packet points into the buffer it came from.
 *
 *   RRQ/WRQ  | 01/02 | filename | 0 | mode | 0 | name | 0 | value | 0 | ...
 *   DATA     | 03 | block | 0..65464 bytes |
 *   ACK      | 04 | block |
 *   ERROR    | 05 | code | message | 0 |
 *   OACK     | 06 | name | 0 | value | 0 | ...        (server to client only)
 *
 * A request is well formed when the filename and the mode are NUL-terminated
 * inside the packet, the filename is not empty, the mode is netascii or
 * octet (any case), and the options come as name/value pairs, each string
 * NUL-terminated inside the packet.  Option names are compared without case
 * (RFC 2347).  Unknown options are skipped (RFC 2347: they "must not cause
 * an ERROR"), but must still be well formed.  The known ones must be
 * decimal numbers (digits only, at most 19) and appear once; what is done
 * with a number out of its RFC range is in tftp_option_table (packet.c).
 * NUL bytes after the last option are padding and ignored (some boot ROMs
 * pad their requests); anything else after an empty option name is not.
 *
 * Every way a packet can be wrong is an enum tftp_cause, so the server can
 * count each; tftp_cause_code() says which ERROR to answer with and
 * tftp_cause_message() what to say.
 */
#ifndef TERN_TFTPD_PACKET_H
#define TERN_TFTPD_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define TFTP_HEADER 4            /* opcode + block, or opcode + error code */
#define TFTP_SEGSIZE 512         /* RFC 1350 block size, without blksize */
#define TFTP_BLKSIZE_MIN 8       /* RFC 2348 */
#define TFTP_BLKSIZE_MAX 65464   /* RFC 2348 */
#define TFTP_PACKET_MAX (TFTP_HEADER + TFTP_BLKSIZE_MAX)
#define TFTP_WINDOWSIZE_MAX 65535 /* RFC 7440 */
#define TFTP_TIMEOUT_MIN 1        /* RFC 2349, seconds */
#define TFTP_TIMEOUT_MAX 255
#define TFTP_VALUE_DIGITS 19      /* longest option value: any 19 digits fit uint64_t */

enum tftp_opcode {
	TFTP_RRQ = 1,
	TFTP_WRQ = 2,
	TFTP_DATA = 3,
	TFTP_ACK = 4,
	TFTP_ERROR = 5,
	TFTP_OACK = 6,
};

/* Error codes of RFC 1350 section 5, and 8 from RFC 2347. */
enum tftp_error {
	TFTP_EUNDEF = 0,    /* not defined, see message */
	TFTP_ENOTFOUND = 1, /* file not found */
	TFTP_EACCESS = 2,   /* access violation */
	TFTP_ENOSPACE = 3,  /* disk full or allocation exceeded */
	TFTP_EBADOP = 4,    /* illegal TFTP operation */
	TFTP_EBADID = 5,    /* unknown transfer ID */
	TFTP_EEXISTS = 6,   /* file already exists */
	TFTP_ENOUSER = 7,   /* no such user */
	TFTP_EOPTION = 8,   /* option negotiation refused (RFC 2347) */
};

enum tftp_mode { TFTP_NETASCII, TFTP_OCTET };

/* The options we know, in the order an OACK lists them. */
enum tftp_option {
	TFTP_OPT_BLKSIZE,    /* RFC 2348 */
	TFTP_OPT_TIMEOUT,    /* RFC 2349 */
	TFTP_OPT_TSIZE,      /* RFC 2349 */
	TFTP_OPT_WINDOWSIZE, /* RFC 7440 */
	TFTP_OPT_COUNT
};

/* A set of options with their values: bit (1u << TFTP_OPT_x) of mask says
 * whether value[TFTP_OPT_x] is there. */
struct tftp_options {
	unsigned mask;
	uint64_t value[TFTP_OPT_COUNT];
};

/* What is wrong with a packet, or with a request the server refuses. */
enum tftp_cause {
	TFTP_OK,
	TFTP_TRUNCATED,          /* shorter than its opcode needs */
	TFTP_OVERSIZED,          /* longer than TFTP_PACKET_MAX */
	TFTP_BAD_OPCODE,         /* not 1..5 (OACK is server to client) */
	TFTP_MISSING_NUL,        /* a string runs to the end of the packet */
	TFTP_EMPTY_FILENAME,
	TFTP_BAD_MODE,           /* neither netascii nor octet */
	TFTP_MAIL_MODE,          /* RFC 1350's mail: not for a file server */
	TFTP_EMPTY_OPTION_NAME,  /* followed by something other than padding */
	TFTP_OPTION_NO_VALUE,    /* name NUL-terminated, then the packet ends */
	TFTP_NON_NUMERIC_VALUE,  /* a known option whose value is not digits */
	TFTP_VALUE_OUT_OF_RANGE, /* a known option whose value cannot be met */
	TFTP_DUPLICATE_OPTION,   /* a known option given twice */
	TFTP_UPLOAD_TOO_LARGE,   /* WRQ whose tsize is over the upload cap */
	TFTP_CAUSE_COUNT
};

struct tftp_request {
	const char *filename; /* NUL-terminated, inside the packet */
	size_t filename_len;  /* > 0 */
	enum tftp_mode mode;
	struct tftp_options opts; /* the known options the client asked for */
};

struct tftp_packet {
	enum tftp_opcode opcode;
	union {
		struct tftp_request req; /* RRQ, WRQ */
		struct {
			uint16_t block;
			const uint8_t *data; /* inside the packet */
			size_t len;          /* 0..TFTP_BLKSIZE_MAX */
		} data;
		uint16_t ack; /* the block number acknowledged */
		struct {
			uint16_t code;       /* as sent: may be any number */
			const char *message; /* NUL-terminated, inside the packet */
		} error;
	};
};

/* Parse one datagram of len bytes from a client.  On TFTP_OK *p describes
 * it.  Otherwise only p->opcode is set, and only when the opcode is one a
 * client may send: an ERROR refused for its message (a 4-byte ERROR has no
 * NUL) is still an ERROR, which ends its transfer and is never answered
 * (RFC 1350 section 7).  An ACK may carry bytes after its block number,
 * which are ignored (tftpd-hpa, atftpd and dnsmasq all accept them). */
enum tftp_cause tftp_parse(const void *buf, size_t len, struct tftp_packet *p);

/* The error code to answer a packet refused for cause c with, and a
 * message for the client and the log ("unknown transfer mode"). */
enum tftp_error tftp_cause_code(enum tftp_cause c);
const char *tftp_cause_message(enum tftp_cause c);

/* The ERROR code for a path_open errno (path.h): ENOENT is 1, EXDEV and
 * EACCES 2, ENOSPC 3, EEXIST 6, and so on; 0 for the rest. */
enum tftp_error path_errno_code(int err);

/* An option's name as an OACK spells it ("blksize"). */
const char *tftp_option_name(enum tftp_option o);

/* The builders write into buf of size bytes and return the packet's
 * length, or 0 when size is too small (never a partial packet). */

/* ERROR: code, then message (cut to fit, control characters and all),
 * NUL-terminated.  Needs size >= TFTP_HEADER + 1. */
size_t tftp_build_error(void *buf, size_t size, enum tftp_error code, const char *message);

/* OACK: the options of opts, in enum tftp_option order, each "name\0value\0",
 * nothing else; 0 when opts has none (RFC 2347: then no OACK is sent).
 * TFTP_OACK_MAX bytes always suffice, whatever the blksize. */
#define TFTP_OACK_MAX (2 + TFTP_OPT_COUNT * (sizeof "windowsize" + 20 + 1))
size_t tftp_build_oack(void *buf, size_t size, const struct tftp_options *opts);

/* The 4 bytes before a DATA block's payload; an ACK.  Both need size >= 4. */
size_t tftp_build_data_header(void *buf, size_t size, uint16_t block);
size_t tftp_build_ack(void *buf, size_t size, uint16_t block);

#endif
