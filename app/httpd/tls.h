/* SPDX-License-Identifier: MIT */
/* tls.h -- HTTPS: a TLS 1.2 layer (mbedtls) under a connection's receive
 * and send, for the connections accepted on the TLS port.
 *
 * conn.c keeps its one logical operation in flight (a receive into its
 * buffer, or a send of head and body); for a TLS connection that operation
 * is carried by tls.c as one raw operation at a time on the socket, under
 * the same user data (so conn_close's cancel finds it): the handshake's
 * flights, ciphertext received into a small buffer and fed to mbedtls,
 * records encrypted from the file's mapping into an output buffer and
 * sent.  tls_completed() takes each raw completion and says either
 * TLS_AGAIN (another raw operation is in flight) or the logical result
 * conn.c expects: plaintext bytes received or sent, 0 at the end, or
 * -errno.  A result known at once (plaintext mbedtls still holds) arrives
 * by a NOP, so conn.c always sees a completion, never a nested call.
 *
 * Only AES-GCM (128 and 256) over TLS 1.2: ECDHE-ECDSA with an ECDSA P-256
 * key, and DHE-RSA with an RSA key when one is given as well (for clients
 * with no ECDSA, such as OVMF's HTTP Boot; mbedtls shows each client the
 * certificate its suite needs).  AES-GCM runs on the CPU's AES and
 * carry-less multiply instructions (mbedtls's AESNI code, and tls_gcm.c
 * for what we send) where the CPU has them.
 *
 * Every failure (a refused or broken handshake, a wrong server name,
 * garbage, a bad or truncated record, a handshake not done within the head
 * deadline) ends that connection only, is counted, and logged in one line.
 */
#ifndef TERN_HTTPD_TLS_H
#define TERN_HTTPD_TLS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct server;
struct conn;
struct tls_site;
struct tls_conn;

/* tls_completed: the logical operation goes on (never a byte count or
 * -errno). */
#define TLS_AGAIN INT_MIN

/* Why a TLS connection failed, each counted apart. */
enum tls_failure {
	TLS_FAIL_HANDSHAKE = 1,   /* a handshake refused or broken */
	TLS_FAIL_TIMEOUT,         /* a handshake not done within the deadline */
	TLS_FAIL_RECORD,          /* garbage, a bad or truncated record after it */
	TLS_FAIL_COUNT
};

/* What SIGUSR1 logs after the counters line, as "tls: N handshakes, ...",
 * and /metrics shows: a worker's, since it started, in its shared
 * counters (server.h's struct counters, described in record.c). */
struct tls_counters {
	uint64_t handshakes;                /* completed */
	uint64_t failures[TLS_FAIL_COUNT];  /* by enum tls_failure; [0] unused */
};

/* A failure's name, as /metrics labels it ("handshake failed"); NULL for
 * a number that is none.  Built with or without TLS. */
const char *tls_failure_name(enum tls_failure f);

/* Load the certificate chain (PEM, the server's first) and its ECDSA P-256
 * key, and if rsa_cert is not NULL a second chain and its RSA key (2048
 * bits or more); sni: the only server name a client may ask for (NULL or
 * "": any).  Before privileges are dropped.  Dies with a clear message if
 * it cannot. */
struct tls_site *tls_load(const char *cert, const char *key, const char *rsa_cert,
			  const char *rsa_key, const char *sni);
void tls_free(struct tls_site *t);
/* Count into n from now on (a worker's shared counters; until then, the
 * site's own). */
void tls_count_into(struct tls_site *t, struct tls_counters *n);
/* In each worker, after fork: its own random generator.  False (logged)
 * if it cannot be seeded. */
bool tls_worker_init(struct tls_site *t);
/* "with AES-NI" or "without AES-NI": what the log's first line says. */
const char *tls_aes_note(void);

/* A connection's TLS state (NULL, errno ENOMEM: out of memory), and its end. */
struct tls_conn *tls_conn_new(struct tls_site *t, int fd);
void tls_conn_free(struct tls_conn *tc);

/* The logical operations of conn.c, carried out as raw ones. */
void tls_recv(struct server *s, struct conn *c, void *buf, size_t len);
void tls_send(struct server *s, struct conn *c, const struct msghdr *msg);
/* A raw completion of c's operation: TLS_AGAIN, or the logical result. */
int tls_completed(struct server *s, struct conn *c, int res);
/* A close_notify alert, if the socket takes it now (before a close). */
void tls_close_notify(struct conn *c);

bool tls_handshaking(const struct tls_conn *tc);
/* The deadline passed during the handshake: counted and logged. */
void tls_timed_out(struct tls_site *t, struct conn *c);
void tls_log_counters(const struct tls_site *t);

#endif
