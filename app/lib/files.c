/* SPDX-License-Identifier: MIT */
/* files.c -- see files.h. */
#include "files.h"

#include <errno.h>
#include <linux/magic.h> /* TMPFS_MAGIC, RAMFS_MAGIC */
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>

static struct mapped *all;
static unsigned count, idle, keep_idle;
static uint64_t put_count;

struct mapped *files_get(int fd)
{
	struct stat st;

	return fstat(fd, &st) < 0 ? NULL : files_get_stat(fd, &st);
}

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

struct mapped *files_find(const struct stat *st)
{
	int64_t mtime = mtime_ns(st);

	for (struct mapped *m = all; m; m = m->next)
		if (m->dev == st->st_dev && m->ino == st->st_ino &&
		    m->size == (uint64_t)st->st_size && m->mtime_ns == mtime) {
			if (!m->refs++)
				idle--;
			return m;
		}
	return NULL;
}

struct mapped *files_get_stat(int fd, const struct stat *sp)
{
	const struct stat st = *sp;
	struct mapped *m = files_find(&st);

	if (m)
		return m;
	m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	*m = (struct mapped){ .dev = st.st_dev, .ino = st.st_ino, .mtime_ns = mtime_ns(&st),
			      .size = (uint64_t)st.st_size, .refs = 1 };
	if (st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);

		if (p == MAP_FAILED) {
			int err = errno;

			free(m);
			errno = err;
			return NULL;
		}
		/* Read ahead: the whole file will be sent, front to back. */
		madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
		m->data = p;
		m->in_memory = files_in_memory(fd);
	}
	m->next = all;
	all = m;
	count++;
	return m;
}

/* Unmap the idle mapping used longest ago. */
static void drop_oldest_idle(void)
{
	struct mapped **p, **oldest = NULL, *m;

	for (p = &all; *p; p = &(*p)->next)
		if (!(*p)->refs && (!oldest || (*p)->last_used < (*oldest)->last_used))
			oldest = p;
	if (!oldest)
		return;
	m = *oldest;
	*oldest = m->next;
	if (m->data)
		munmap((void *)m->data, (size_t)m->size);
	free(m);
	count--;
	idle--;
}

void files_put(struct mapped *m)
{
	if (--m->refs)
		return;
	m->last_used = ++put_count;
	idle++;
	while (idle > keep_idle)
		drop_oldest_idle();
}

void files_keep_idle(unsigned n)
{
	keep_idle = n;
	while (idle > keep_idle)
		drop_oldest_idle();
}

bool files_in_memory(int fd)
{
	struct statfs f;

	return fstatfs(fd, &f) == 0 && (f.f_type == TMPFS_MAGIC || f.f_type == RAMFS_MAGIC);
}

unsigned files_count(void)
{
	return count;
}

static struct files_guard *volatile armed;

/* SA_NODEFER: a handler left by siglongjmp (which, as sigsetjmp(jb, 0),
 * restores no mask) must not leave SIGBUS blocked. */
static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	struct files_guard *g = armed;
	const uint8_t *at = si->si_addr;
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	(void)uc;
	if (g && at >= g->lo && at < g->hi) {
		armed = NULL;
		siglongjmp(g->jb, 1);
	}
	sigaction(sig, &dfl, NULL); /* not ours: the fault again, fatal */
}

void files_guard_init(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO | SA_NODEFER };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

void files_guard_arm(struct files_guard *g, const void *p, size_t len)
{
	g->lo = p;
	g->hi = p ? g->lo + len : NULL;
	armed = g;
}

void files_guard_disarm(void)
{
	armed = NULL;
}
