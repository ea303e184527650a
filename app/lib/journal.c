/* SPDX-License-Identifier: MIT */
/* journal.c -- the rings (writer and reader); the summary is in
 * journal_summary.c.  See journal.h. */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "stats.h"

#define HEAD_SIZE 4096 /* the header's page; events start on the next */

struct journal {
	struct journal_head *head;
	unsigned char *events;
	uint32_t capacity;
	uint64_t next;          /* seq of the last event published */
	uint8_t daemon;
};

static const char *const daemon_names[] = { [JOURNAL_PXED] = "pxed", [JOURNAL_TFTPD] = "tftpd",
					    [JOURNAL_HTTPD] = "httpd" };

static size_t ring_len(uint32_t capacity)
{
	return HEAD_SIZE + (size_t)capacity * JOURNAL_EVENT_SIZE;
}

static bool head_ok(const struct journal_head *h, size_t len)
{
	return len >= sizeof *h && !memcmp(h->magic, JOURNAL_MAGIC, sizeof h->magic) &&
	       h->version == JOURNAL_VERSION && h->event_size == JOURNAL_EVENT_SIZE &&
	       h->head_size >= sizeof *h && h->head_size % 8 == 0 && h->capacity > 0 &&
	       (uint64_t)h->head_size + (uint64_t)h->capacity * JOURNAL_EVENT_SIZE <= len;
}

/* The file's mapping: the ring it holds when it is one of this layout and
 * capacity (*kept), a fresh one otherwise.  NULL when it cannot be had. */
static void *map_ring(const char *path, size_t len, uint32_t capacity, bool *kept)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	struct stat st;
	void *map;

	if (fd < 0)
		return NULL;
	*kept = !fstat(fd, &st) && (size_t)st.st_size == len;
	if (!*kept && (ftruncate(fd, 0) || ftruncate(fd, (off_t)len))) {
		close(fd);
		return NULL;
	}
	fchmod(fd, 0644);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return NULL;
	if (*kept) {
		const struct journal_head *h = map;

		*kept = head_ok(h, len) && h->capacity == capacity && h->head_size == HEAD_SIZE;
		if (!*kept)
			memset(map, 0, len);
	}
	return map;
}

struct journal *journal_open(enum journal_daemon daemon, int instance, unsigned capacity)
{
	struct journal *j = calloc(1, sizeof *j);
	char dir[256], path[320];
	size_t len;
	bool kept = false;
	void *map = NULL;
	struct stat st;

	if (!j)
		die(EXIT_SYSCALL, "unable to allocate the journal");
	j->capacity = capacity ? capacity : 1; /* never a ring of 0 */
	j->daemon = (uint8_t)daemon;
	len = ring_len(j->capacity);
	stats_run_path(dir, sizeof dir, "journal");
	if (instance >= 0)
		snprintf(path, sizeof path, "%s/%s.%d", dir, journal_daemon_name(daemon), instance);
	else
		snprintf(path, sizeof path, "%s/%s", dir, journal_daemon_name(daemon));
	if (!stat(dir, &st)) {
		map = map_ring(path, len, j->capacity, &kept);
		if (!map)
			log_errno("unable to map %s; the boot journal is not shared", path);
	}
	if (!map) {
		map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (map == MAP_FAILED)
			die_errno("unable to allocate the journal (%zu bytes)", len);
		kept = false;
	}
	j->head = map;
	j->events = (unsigned char *)map + HEAD_SIZE;
	if (!kept) {
		memcpy(j->head->magic, JOURNAL_MAGIC, sizeof j->head->magic);
		j->head->version = JOURNAL_VERSION;
		j->head->head_size = HEAD_SIZE;
		j->head->event_size = JOURNAL_EVENT_SIZE;
		j->head->capacity = j->capacity;
		j->head->daemon = daemon;
		journal_set_str(j->head->name, sizeof j->head->name, journal_daemon_name(daemon));
		if (instance >= 0)
			snprintf(j->head->instance, sizeof j->head->instance, "%d", instance);
		__atomic_store_n(&j->head->next, 0, __ATOMIC_RELEASE);
	}
	j->head->pid = (int32_t)getpid();
	j->next = __atomic_load_n(&j->head->next, __ATOMIC_ACQUIRE);
	return j;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	munmap(j->head, ring_len(j->capacity));
	free(j);
}

const void *journal_memory(const struct journal *j, size_t *len)
{
	*len = ring_len(j->capacity);
	return j->head;
}

static struct journal_event *slot(unsigned char *events, uint32_t capacity, uint64_t seq)
{
	return (struct journal_event *)(void *)(events + (size_t)((seq - 1) % capacity) *
						JOURNAL_EVENT_SIZE);
}

struct journal_event *journal_begin(struct journal *j)
{
	struct journal_event *e = slot(j->events, j->capacity, j->next + 1);

	/* Unpublished first, then cleared: a reader that copies it meanwhile
	 * sees seq 0 before or after and drops it. */
	__atomic_store_n(&e->seq, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memset((char *)e + sizeof e->seq, 0, sizeof *e - sizeof e->seq);
	e->daemon = j->daemon;
	return e;
}

void journal_commit(struct journal *j, struct journal_event *e)
{
	if (!e->time_ms)
		e->time_ms = clock_ms_on(CLOCK_REALTIME);
	j->next++;
	__atomic_store_n(&e->seq, j->next, __ATOMIC_RELEASE);
	__atomic_store_n(&j->head->next, j->next, __ATOMIC_RELEASE);
}

void journal_set_str(char *dst, size_t size, const char *s)
{
	size_t n = s ? strnlen(s, size - 1) : 0;

	memcpy(dst, s ? s : "", n);
	dst[n] = 0;
}

void journal_set_ipv4(struct journal_event *e, uint32_t addr_be)
{
	e->family = AF_INET;
	memset(e->ip, 0, sizeof e->ip);
	memcpy(e->ip, &addr_be, 4);
}

void journal_set_addr(struct journal_event *e, const void *sockaddr)
{
	const struct sockaddr *sa = sockaddr;

	if (sa->sa_family == AF_INET) {
		journal_set_ipv4(e, ((const struct sockaddr_in *)sockaddr)->sin_addr.s_addr);
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sockaddr)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			uint32_t v4;

			memcpy(&v4, &a->s6_addr[12], 4);
			journal_set_ipv4(e, v4);
		} else {
			e->family = AF_INET6;
			memcpy(e->ip, a->s6_addr, 16);
		}
	}
}

/* -- reader ------------------------------------------------------------ */

unsigned journal_ring_events(const void *ring, size_t len, struct journal_event *out,
			     unsigned max)
{
	const struct journal_head *h = ring;
	unsigned char *events;
	uint64_t next, first;
	unsigned n = 0;

	if (!head_ok(h, len) || !max)
		return 0;
	events = (unsigned char *)ring + h->head_size;
	next = __atomic_load_n(&h->next, __ATOMIC_ACQUIRE);
	first = next > h->capacity ? next - h->capacity + 1 : 1;
	if (next >= first && next - first + 1 > max)
		first = next - max + 1;
	for (uint64_t seq = first; seq && seq <= next; seq++) {
		struct journal_event *e = slot(events, h->capacity, seq);
		uint64_t before = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE), after;

		if (before != seq)
			continue;
		memcpy(&out[n], e, sizeof *e);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		after = __atomic_load_n(&e->seq, __ATOMIC_RELAXED);
		if (after != seq)
			continue;
		/* the reader trusts no byte of the file: strings end here */
		out[n].vendor[sizeof out[n].vendor - 1] = 0;
		out[n].cause[sizeof out[n].cause - 1] = 0;
		out[n].file[sizeof out[n].file - 1] = 0;
		n++;
	}
	return n;
}

struct journal_reader {
	int dir;
	char names[64][STATS_FILE_NAME_MAX];
};

struct journal_reader *journal_reader_open(const char *dir)
{
	struct journal_reader *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->dir = stats_dir_open(dir, "journal");
	if (r->dir < 0) {
		int e = errno;

		free(r);
		errno = e;
		return NULL;
	}
	return r;
}

void journal_reader_close(struct journal_reader *r)
{
	if (!r)
		return;
	close(r->dir);
	free(r);
}

int journal_collect(struct journal_reader *r, struct journal_event *out, unsigned max)
{
	unsigned files = stats_list(r->dir, r->names, sizeof r->names / sizeof r->names[0]);
	unsigned n = 0;

	if (files == (unsigned)-1)
		return -1;
	for (unsigned i = 0; i < files && n < max; i++) {
		size_t len;
		void *map = stats_map_ro(r->dir, r->names[i], &len);

		if (!map)
			continue;
		n += journal_ring_events(map, len, out + n, max - n);
		munmap(map, len);
	}
	return (int)n;
}

const char *journal_daemon_name(enum journal_daemon d)
{
	return (unsigned)d < sizeof daemon_names / sizeof *daemon_names && daemon_names[d]
		       ? daemon_names[d]
		       : "?";
}
