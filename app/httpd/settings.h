/* SPDX-License-Identifier: MIT */
/* settings.h -- httpd's compiled defaults: the values of app/httpd/Kconfig
 * (through the generated config.h), which its flags override at run time.
 * A knob is a Kconfig symbol, its flag in main.c and its line here.
 *
 *   CONFIG_HTTPD_ROOT            -r  the directory served
 *   CONFIG_HTTPD_PORT            -p  listen port
 *   CONFIG_HTTPD_WORKERS         -n  worker processes
 *   CONFIG_HTTPD_MAX_CONNS       -c  connections at once, a worker
 *   CONFIG_HTTPD_PER_CLIENT      -C  connections from one address, a worker
 *   CONFIG_HTTPD_HEADER_SECONDS  -H  a request head's deadline (slow-loris)
 *   CONFIG_HTTPD_IDLE_SECONDS    -k  idle keep-alive
 *   CONFIG_HTTPD_SEND_SECONDS    -s  a response that makes no progress
 *   CONFIG_HTTPD_KEEP_MAPPED     -m  files kept mapped while unused
 *   CONFIG_HTTPD_SENDFILE_MIN    -S  bodies this long or longer by sendfile
 *   CONFIG_HTTPD_NOTSENT         -L  bytes not yet sent a sendfile socket holds
 *   CONFIG_HTTPD_MEMO_MS         -O  a small file's open trusted, milliseconds
 *   CONFIG_HTTPD_MAX_LINE            request line, bytes (414 beyond)
 *   CONFIG_HTTPD_MAX_HEAD            line + headers, bytes (431 beyond);
 *                                    also each connection's receive buffer
 *   CONFIG_HTTPD_MAX_HEADERS         header fields (431 beyond)
 */
#ifndef TERN_HTTPD_SETTINGS_H
#define TERN_HTTPD_SETTINGS_H

#include "config.h"

#ifndef CONFIG_HTTPD
#error "httpd is off in this .config (make menuconfig: Applications -> httpd)"
#endif

#define HTTPD_ROOT CONFIG_HTTPD_ROOT
#define HTTPD_PORT CONFIG_HTTPD_PORT
#define HTTPD_WORKERS CONFIG_HTTPD_WORKERS
#define HTTPD_MAX_CONNS CONFIG_HTTPD_MAX_CONNS
#define HTTPD_PER_CLIENT CONFIG_HTTPD_PER_CLIENT
#define HTTPD_HEADER_SECONDS CONFIG_HTTPD_HEADER_SECONDS
#define HTTPD_IDLE_SECONDS CONFIG_HTTPD_IDLE_SECONDS
#define HTTPD_SEND_SECONDS CONFIG_HTTPD_SEND_SECONDS
#define HTTPD_KEEP_MAPPED CONFIG_HTTPD_KEEP_MAPPED
#define HTTPD_SENDFILE_MIN CONFIG_HTTPD_SENDFILE_MIN
#define HTTPD_NOTSENT CONFIG_HTTPD_NOTSENT
#define HTTPD_MEMO_MS CONFIG_HTTPD_MEMO_MS
#define HTTPD_MAX_LINE CONFIG_HTTPD_MAX_LINE
#define HTTPD_MAX_HEAD CONFIG_HTTPD_MAX_HEAD
#define HTTPD_MAX_HEADERS CONFIG_HTTPD_MAX_HEADERS
/* Not a knob: the submission queue's size, a worker. */
#define HTTPD_RING_ENTRIES 1024

#endif
