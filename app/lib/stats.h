/* SPDX-License-Identifier: MIT */
/* stats.h -- a daemon's counters in a shared, self-describing file: the
 * memory the daemon counts in IS the file's mapping, so the status page
 * and /metrics (httpd) read the very counters SIGUSR1 logs; nothing is
 * counted twice and nothing is copied.
 *
 * Writer (each daemon process, once, before it chroots or drops
 * privileges):
 *
 *     static const struct stats_def defs[] = {
 *         STATS_U64(struct stats, requests, STATS_COUNTER,
 *                   "tern_tftpd_requests_total", "requests on port 69"),
 *         STATS_ARRAY(struct stats, bad_packet, STATS_COUNTER,
 *                     "tern_tftpd_bad_packets_total", "packets refused",
 *                     "cause", 1, TFTP_CAUSE_COUNT, tftp_cause_message),
 *     };
 *     struct stats *st = stats_open("tftpd", worker, defs, n, sizeof *st);
 *     st->requests++;          // a plain store into the mapping
 *
 * The file is <run>/stats/<daemon>[.<instance>] (instance: a worker's
 * number; for relayd's "relayd-rule" files, the rule's id -- each rule is
 * a file of its own, app/relayd/record.c), <run> being $TERN_RUN_DIR
 * or STATS_RUN_DIR (init makes it at boot).  It is written whole under a
 * temporary name and renamed into place, mode 0644: a reader never sees a
 * half-made table, and a restarted daemon starts a fresh file (its
 * counters restart from 0, which Prometheus handles as a counter reset).
 * When <run>/stats does not exist (a daemon run by hand or by a host
 * test), or the file cannot be made, stats_open returns zeroed private
 * memory instead (logged, except for a missing directory): the daemon
 * runs the same and only the page lacks it.
 *
 * One writer per file (one process, one thread, or relaxed atomics where
 * several threads count, as relayd does).  Values are naturally aligned
 * uint64_t; a reader loads them with relaxed atomic loads, so it sees
 * each value whole, possibly a few increments old, never torn (x86-64 and
 * arm64 store an aligned 64-bit value in one move).
 *
 * File layout (little endian as the host; version STATS_VERSION):
 *
 *     struct stats_head                 at 0
 *     struct stats_field[nfields]       at fields_off
 *     uint64_t values[]                 at values_off, values_size bytes
 *
 * Every field names its value by offset into the values area, so one
 * generic reader renders any daemon: Prometheus name (units in the name,
 * _total on counters), type, help, and its label set, already rendered
 * as Prometheus label text (cause="file not found") -- never per client.
 * Two workers of one daemon have fields of the same name and labels: a
 * renderer of /metrics tells their series apart by the file (e.g. a
 * label worker="<instance>") or adds them up.
 */
#ifndef TERN_STATS_H
#define TERN_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define STATS_RUN_DIR "/run/tern"  /* overridden by $TERN_RUN_DIR */
#define STATS_MAGIC   "TERNSTAT"   /* 8 bytes, no NUL */
#define STATS_VERSION 1

enum stats_type { STATS_COUNTER = 1, STATS_GAUGE = 2 };

/* -- the file ---------------------------------------------------------- */

struct stats_head {
	char magic[8];          /* STATS_MAGIC */
	uint32_t version;       /* STATS_VERSION */
	uint32_t head_size;     /* sizeof(struct stats_head) */
	uint32_t field_size;    /* sizeof(struct stats_field) */
	uint32_t nfields;
	uint32_t fields_off, values_off; /* from the start of the file */
	uint32_t values_size;   /* bytes, a multiple of 8 */
	int32_t pid;            /* the process counting (its liveness: stats_alive) */
	int64_t started_s;      /* CLOCK_REALTIME seconds when it opened the file */
	char daemon[16];        /* "tftpd", NUL-terminated */
	char instance[16];      /* "0", "1", ... for workers; "" for one process */
};

#define STATS_NAME_MAX   64
#define STATS_LABELS_MAX 96
#define STATS_HELP_MAX   96

struct stats_field {
	uint32_t type;                  /* enum stats_type */
	uint32_t offset;                /* of its uint64_t in the values area */
	char name[STATS_NAME_MAX];      /* tern_tftpd_bytes_sent_total */
	char labels[STATS_LABELS_MAX];  /* cause="not found",... ; "" none */
	char help[STATS_HELP_MAX];      /* one line, no newline */
};

/* -- writer ------------------------------------------------------------ */

/* One row of a daemon's description of its counter struct: a single
 * uint64_t (count 0), or an array of them indexed first..count-1, each
 * index a field labelled label="label_of(i)" (indexes whose label_of is
 * NULL or "" are left out). */
struct stats_def {
	const char *name, *help;
	enum stats_type type;
	size_t offset;          /* offsetof() in the daemon's struct */
	const char *label;      /* label name of an array; NULL: none */
	unsigned first, count;
	const char *(*label_of)(unsigned i);
	const char *labels;     /* fixed label text for a single value; NULL: none */
};

#define STATS_U64(st, field, type, name, help) \
	{ (name), (help), (type), offsetof(st, field), NULL, 0, 0, NULL, NULL }
#define STATS_ARRAY(st, field, type, name, help, label, first, count, label_of) \
	{ (name), (help), (type), offsetof(st, field), (label), (first), (count), \
	  (const char *(*)(unsigned))(label_of), NULL }
/* The common case of an array: counters by cause="label_of(i)". */
#define STATS_CAUSES(st, field, name, help, first, count, label_of) \
	STATS_ARRAY(st, field, STATS_COUNTER, name, help, "cause", first, count, label_of)
/* Defines fn, a label_of for an array indexed by an enum of type: fn(i)
 * is text_of((type)i), text_of being the enum's own text function. */
#define STATS_LABEL_FN(fn, text_of, type) \
	static const char *fn(unsigned i) { return text_of((type)i); }
/* A counter at offset with fixed label text, as a struct stats_def value:
 * for a table made at run time (relayd's rules, init's services). */
#define STATS_FIXED(name, help, offset, labels) \
	((struct stats_def){ (name), (help), STATS_COUNTER, (offset), NULL, 0, 0, NULL, (labels) })

/* The values area for a struct of `size` bytes (uint64_t members only,
 * those in defs described), zeroed, shared through the file of `daemon`
 * (instance: a worker's number, or -1 for none) when it can be, private
 * memory otherwise.  Dies (EXIT_SYSCALL) only when no memory at all can
 * be had.  Stays mapped for the life of the process. */
void *stats_open(const char *daemon, int instance, const struct stats_def *defs,
		 unsigned ndefs, size_t size);

/* The directory of the shared files: <run>/<sub> into buf; buf. */
const char *stats_run_path(char *buf, size_t size, const char *sub);

/* Undo stats_open: unmap, and unlink its file when remove is set (else
 * the file stays, as a dead process's would), or free private memory.
 * For a writer that publishes a new table (init, when its services
 * change), counters of a thing that goes (relayd's rules), and tests.
 * Thread-safe, as stats_open is. */
void stats_close(void *values, bool remove);

/* -- pure -------------------------------------------------------------- */

/* The fields defs describe, rendered into out (at most max; labels
 * escaped as Prometheus text asks: \\, \" and \n).  Returns how many
 * there are (more than max: the rest were left out).  Pure. */
unsigned stats_fields(const struct stats_def *defs, unsigned ndefs, size_t size,
		      struct stats_field *out, unsigned max);

/* Append name="value" to the label text in dst (a comma first when it
 * is not empty), escaped as stats_fields does; cut whole to fit.  For a
 * def's fixed labels.  Pure. */
void stats_label(char *dst, size_t size, const char *name, const char *value);

/* NULL when the len bytes at buf are a whole, consistent stats file
 * (header, every field NUL-terminated, every offset inside the values
 * area and 8-aligned), else why not.  Pure; what the reader trusts. */
const char *stats_check(const void *buf, size_t len);

/* -- reader (the status page) ------------------------------------------ */

/* A daemon's file as read: mapped read-only; valid until the next
 * stats_scan or stats_reader_close. */
struct stats_view {
	const char *file;                  /* its name in the directory */
	const struct stats_head *head;
	const struct stats_field *fields;  /* head->nfields of them */
	const unsigned char *values;
	bool alive;                        /* its process still runs */
};

struct stats_reader;

/* The directory dir (NULL: <run>/stats), opened now so that a reader
 * that chroots later still reads it.  NULL (errno set) when it cannot be
 * opened. */
struct stats_reader *stats_reader_open(const char *dir);
void stats_reader_close(struct stats_reader *r);

/* Read the directory again and call fn once a file, sorted by file name;
 * a file that fails stats_check is skipped (and counted in *bad when bad
 * is not NULL).  Stops early and returns fn's value when fn returns
 * non-zero; 0 otherwise, -1 (errno) when the directory cannot be read. */
int stats_scan(struct stats_reader *r, int (*fn)(const struct stats_view *v, void *arg),
	       void *arg, unsigned *bad);

/* Field i's value now: a relaxed atomic load. */
uint64_t stats_value(const struct stats_view *v, unsigned i);

/* The names of the files in directory dirfd (not those starting with a
 * dot: files being made), sorted, into names (at most max).  Returns how
 * many, (unsigned)-1 (errno) when it cannot be read.  Also the journal's. */
#define STATS_FILE_NAME_MAX 64
unsigned stats_list(int dirfd, char (*names)[STATS_FILE_NAME_MAX], unsigned max);

/* Directory dir opened (O_DIRECTORY), or <run>/<sub> when dir is NULL;
 * -1 (errno) when it cannot be. */
int stats_dir_open(const char *dir, const char *sub);

/* File name of directory dir mapped read-only (MAP_SHARED: it shows the
 * writer's stores), its length in *len; NULL when it cannot be. */
void *stats_map_ro(int dir, const char *name, size_t *len);

/* Whether the process pid still runs (kill(pid, 0): EPERM is alive). */
bool stats_alive(pid_t pid);

#endif
