/* settings.h -- httpd's compiled defaults, each overridable by a flag.
 * Each is meant to become a Kconfig symbol (named in its comment, C sees
 * CONFIG_<name>); until app/Kconfig has them, these values apply.
 */
#ifndef TERN_HTTPD_SETTINGS_H
#define TERN_HTTPD_SETTINGS_H

#define HTTPD_ROOT "/srv/tftp"     /* HTTPD_ROOT: tftpd's root, both ways */
#define HTTPD_PORT 80              /* HTTPD_PORT (-p) */
#define HTTPD_WORKERS 1            /* HTTPD_WORKERS (-n) */
#define HTTPD_MAX_CONNS 4096       /* HTTPD_MAX_CONNS (-c), per worker */
#define HTTPD_PER_CLIENT 64        /* HTTPD_PER_CLIENT (-C), per worker */
#define HTTPD_HEADER_SECONDS 10    /* HTTPD_HEADER_SECONDS (-H): a request's
				    * head must be complete this long after
				    * its first byte (slow-loris) */
#define HTTPD_IDLE_SECONDS 30      /* HTTPD_IDLE_SECONDS (-k): keep-alive */
#define HTTPD_SEND_SECONDS 30      /* HTTPD_SEND_SECONDS (-s): a response
				    * that makes no progress this long is cut */
#define HTTPD_MAX_LINE 8192        /* HTTPD_MAX_LINE: request line, bytes */
#define HTTPD_MAX_HEAD 16384       /* HTTPD_MAX_HEAD: line + headers, bytes;
				    * also each connection's receive buffer */
#define HTTPD_MAX_HEADERS 64       /* HTTPD_MAX_HEADERS: header fields */
#define HTTPD_RING_ENTRIES 1024    /* HTTPD_RING_ENTRIES: SQ size */
#define HTTPD_KEEP_MAPPED 64       /* HTTPD_KEEP_MAPPED (-m): files kept mapped
				    * while no response uses them, per worker */

#endif
