/* files.c -- see files.h. */
#include "files.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>

static struct mapped *all;
static unsigned count;

struct mapped *files_get(int fd)
{
	struct stat st;
	struct mapped *m;
	int64_t mtime;

	if (fstat(fd, &st) < 0)
		return NULL;
	mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	for (m = all; m; m = m->next)
		if (m->dev == st.st_dev && m->ino == st.st_ino &&
		    m->size == (uint64_t)st.st_size && m->mtime_ns == mtime) {
			m->refs++;
			return m;
		}
	m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	*m = (struct mapped){ .dev = st.st_dev, .ino = st.st_ino, .mtime_ns = mtime,
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
	}
	m->next = all;
	all = m;
	count++;
	return m;
}

void files_put(struct mapped *m)
{
	struct mapped **p;

	if (--m->refs)
		return;
	for (p = &all; *p != m; p = &(*p)->next)
		;
	*p = m->next;
	if (m->data)
		munmap((void *)m->data, (size_t)m->size);
	free(m);
	count--;
}

unsigned files_count(void)
{
	return count;
}
