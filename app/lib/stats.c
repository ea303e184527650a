/* SPDX-License-Identifier: MIT */
/* stats.c -- see stats.h. */
#include "stats.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define STATS_FILES_MAX 256 /* files a reader maps at once */

const char *stats_run_path(char *buf, size_t size, const char *sub)
{
	const char *run = getenv("TERN_RUN_DIR");

	snprintf(buf, size, "%s/%s", run && *run ? run : STATS_RUN_DIR, sub);
	return buf;
}

/* -- pure -------------------------------------------------------------- */

static void copy_str(char *dst, size_t size, const char *s)
{
	size_t n = s ? strnlen(s, size - 1) : 0;

	memcpy(dst, s ? s : "", n);
	dst[n] = 0;
}

/* name="value", the value escaped as the text format asks; cut whole. */
static void render_label(char *dst, size_t size, const char *name, const char *value)
{
	size_t n = 0;
	int w = snprintf(dst, size, "%s=\"", name);

	if (w < 0 || (size_t)w >= size) {
		dst[0] = 0;
		return;
	}
	n = (size_t)w;
	for (const char *p = value; *p; p++) {
		const char *esc = *p == '\\' ? "\\\\" : *p == '"' ? "\\\"" : *p == '\n' ? "\\n" : NULL;
		size_t len = esc ? 2 : 1;

		if (n + len + 2 > size)
			break;
		memcpy(dst + n, esc ? esc : p, len);
		n += len;
	}
	dst[n++] = '"';
	dst[n] = 0;
}

void stats_label(char *dst, size_t size, const char *name, const char *value)
{
	size_t n = strlen(dst);

	if (n && n + 1 < size)
		dst[n++] = ',';
	if (n < size)
		render_label(dst + n, size - n, name, value);
}

unsigned stats_fields(const struct stats_def *defs, unsigned ndefs, size_t size,
		      struct stats_field *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned d = 0; d < ndefs; d++) {
		const struct stats_def *df = &defs[d];
		unsigned lo = df->count ? df->first : 0, hi = df->count ? df->count : 1;

		for (unsigned i = lo; i < hi; i++) {
			size_t off = df->offset + (size_t)i * sizeof(uint64_t);
			const char *lv = df->count && df->label_of ? df->label_of(i) : NULL;
			struct stats_field *f;

			if (off % sizeof(uint64_t) || off + sizeof(uint64_t) > size)
				continue; /* a def outside the struct: not a field */
			if (df->count && (!lv || !*lv))
				continue;
			if (n++ >= max || !out)
				continue;
			f = &out[n - 1];
			memset(f, 0, sizeof *f);
			f->type = df->type;
			f->offset = (uint32_t)off;
			copy_str(f->name, sizeof f->name, df->name);
			copy_str(f->help, sizeof f->help, df->help);
			if (df->count)
				render_label(f->labels, sizeof f->labels, df->label ? df->label : "index", lv);
			else
				copy_str(f->labels, sizeof f->labels, df->labels);
		}
	}
	return n;
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

const char *stats_check(const void *buf, size_t len)
{
	const struct stats_head *h = buf;
	const struct stats_field *f;

	if (len < sizeof *h)
		return "shorter than its header";
	if (memcmp(h->magic, STATS_MAGIC, sizeof h->magic))
		return "not a stats file (magic)";
	if (h->version != STATS_VERSION || h->head_size != sizeof *h ||
	    h->field_size != sizeof *f)
		return "another version";
	if (!terminated(h->daemon, sizeof h->daemon) || !terminated(h->instance, sizeof h->instance))
		return "bad daemon name";
	if (h->fields_off < sizeof *h || h->fields_off % 8 ||
	    (uint64_t)h->fields_off + (uint64_t)h->nfields * sizeof *f > len)
		return "field table outside the file";
	if (h->values_off % 8 || h->values_size % 8 ||
	    (uint64_t)h->values_off + h->values_size > len ||
	    h->values_off < (uint64_t)h->fields_off + (uint64_t)h->nfields * sizeof *f)
		return "values outside the file";
	f = (const struct stats_field *)((const char *)buf + h->fields_off);
	for (uint32_t i = 0; i < h->nfields; i++) {
		if (f[i].type != STATS_COUNTER && f[i].type != STATS_GAUGE)
			return "bad field type";
		if (f[i].offset % 8 || (uint64_t)f[i].offset + 8 > h->values_size)
			return "field value outside the values";
		if (!terminated(f[i].name, sizeof f[i].name) || !f[i].name[0] ||
		    !terminated(f[i].labels, sizeof f[i].labels) ||
		    !terminated(f[i].help, sizeof f[i].help))
			return "bad field text";
	}
	return NULL;
}

/* -- writer ------------------------------------------------------------ */

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

/* The file made whole under a temporary name, then renamed into place. */
static void *map_file(int dir, const char *name, size_t len)
{
	char tmp[64];
	void *map;
	int fd;

	snprintf(tmp, sizeof tmp, ".%s.%d", name, (int)getpid());
	fd = openat(dir, tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return NULL;
	if (fchmod(fd, 0644) || ftruncate(fd, (off_t)len)) {
		close(fd);
		unlinkat(dir, tmp, 0);
		return NULL;
	}
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		unlinkat(dir, tmp, 0);
		return NULL;
	}
	return map;
}

/* What stats_close needs to undo a stats_open: the values it returned,
 * the mapping they are in (NULL: private memory) and its file.  relayd
 * opens and closes one a rule, from several threads: a growing table
 * under a lock. */
struct opened {
	void *values, *map;
	size_t len;
	char path[320];
};
static struct opened *opened;
static size_t nopened;
static pthread_mutex_t opened_lock = PTHREAD_MUTEX_INITIALIZER;

static void *remember(void *values, void *map, size_t len, const char *path)
{
	size_t i;

	pthread_mutex_lock(&opened_lock);
	for (i = 0; i < nopened && opened[i].values; i++)
		;
	if (i == nopened) {
		struct opened *o = realloc(opened, (nopened + 8) * sizeof *o);

		if (o) {
			memset(o + nopened, 0, 8 * sizeof *o);
			opened = o;
			nopened += 8;
		}
	}
	if (i < nopened) { /* else: it cannot be closed, only leaked */
		opened[i] = (struct opened){ values, map, len, "" };
		copy_str(opened[i].path, sizeof opened[i].path, path);
	}
	pthread_mutex_unlock(&opened_lock);
	return values;
}

void stats_close(void *values, bool remove)
{
	pthread_mutex_lock(&opened_lock);
	for (size_t i = 0; values && i < nopened; i++)
		if (opened[i].values == values) {
			if (opened[i].map) {
				if (remove)
					unlink(opened[i].path);
				munmap(opened[i].map, opened[i].len);
			} else {
				free(values);
			}
			opened[i] = (struct opened){ 0 };
			break;
		}
	pthread_mutex_unlock(&opened_lock);
}

static void *private_values(size_t size)
{
	void *v = calloc(1, round_up(size ? size : 8, 8));

	if (!v)
		die(EXIT_SYSCALL, "unable to allocate %zu bytes of counters", size);
	return remember(v, NULL, 0, NULL);
}

void *stats_open(const char *daemon, int instance, const struct stats_def *defs,
		 unsigned ndefs, size_t size)
{
	char path[320], name[40], tmp[64];
	unsigned n = stats_fields(defs, ndefs, size, NULL, 0);
	size_t fields_off = round_up(sizeof(struct stats_head), 64);
	size_t values_off = round_up(fields_off + n * sizeof(struct stats_field), 4096);
	size_t len = values_off + round_up(size, 4096);
	struct stats_head *h;
	unsigned char *map;
	int dir;

	stats_run_path(path, sizeof path, "stats");
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		if (errno != ENOENT)
			log_errno("unable to open %s; counters not shared", path);
		return private_values(size);
	}
	if (instance >= 0)
		snprintf(name, sizeof name, "%s.%d", daemon, instance);
	else
		snprintf(name, sizeof name, "%s", daemon);
	map = map_file(dir, name, len);
	if (!map) {
		log_errno("unable to create %s/%s; counters not shared", path, name);
		close(dir);
		return private_values(size);
	}
	h = (struct stats_head *)map;
	memcpy(h->magic, STATS_MAGIC, sizeof h->magic);
	h->version = STATS_VERSION;
	h->head_size = sizeof *h;
	h->field_size = sizeof(struct stats_field);
	h->nfields = n;
	h->fields_off = (uint32_t)fields_off;
	h->values_off = (uint32_t)values_off;
	h->values_size = (uint32_t)round_up(size, 8);
	h->pid = (int32_t)getpid();
	h->started_s = (int64_t)time(NULL);
	copy_str(h->daemon, sizeof h->daemon, daemon);
	if (instance >= 0)
		snprintf(h->instance, sizeof h->instance, "%d", instance);
	stats_fields(defs, ndefs, size, (struct stats_field *)(map + fields_off), n);
	snprintf(tmp, sizeof tmp, ".%s.%d", name, (int)getpid());
	if (renameat(dir, tmp, dir, name)) {
		log_errno("unable to rename %s/%s into place; counters not shared", path, tmp);
		unlinkat(dir, tmp, 0);
		munmap(map, len);
		close(dir);
		return private_values(size);
	}
	close(dir);
	snprintf(tmp, sizeof tmp, "/%s", name);
	return remember(map + values_off, map, len, strcat(path, tmp));
}

/* -- reader ------------------------------------------------------------ */

struct mapping {
	void *map;
	size_t len;
	char name[STATS_FILE_NAME_MAX];
};

struct stats_reader {
	int dir;
	struct mapping *maps;
	unsigned nmaps;
	char names[STATS_FILES_MAX][STATS_FILE_NAME_MAX];
};

int stats_dir_open(const char *dir, const char *sub)
{
	char path[256];

	return open(dir ? dir : stats_run_path(path, sizeof path, sub),
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

struct stats_reader *stats_reader_open(const char *dir)
{
	struct stats_reader *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->dir = stats_dir_open(dir, "stats");
	r->maps = calloc(STATS_FILES_MAX, sizeof *r->maps);
	if (r->dir < 0 || !r->maps) {
		int e = errno;

		if (r->dir >= 0)
			close(r->dir);
		free(r->maps);
		free(r);
		errno = e;
		return NULL;
	}
	return r;
}

static void unmap_all(struct stats_reader *r)
{
	for (unsigned i = 0; i < r->nmaps; i++)
		munmap(r->maps[i].map, r->maps[i].len);
	r->nmaps = 0;
}

void stats_reader_close(struct stats_reader *r)
{
	if (!r)
		return;
	unmap_all(r);
	close(r->dir);
	free(r->maps);
	free(r);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

unsigned stats_list(int dirfd, char (*names)[STATS_FILE_NAME_MAX], unsigned max)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	unsigned n = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return (unsigned)-1;
	}
	rewinddir(d);
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= STATS_FILE_NAME_MAX)
			continue;
		strcpy(names[n++], de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	return n;
}

void *stats_map_ro(int dir, const char *name, size_t *len)
{
	int fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	void *map;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return NULL;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return NULL;
	*len = (size_t)st.st_size;
	return map;
}

int stats_scan(struct stats_reader *r, int (*fn)(const struct stats_view *v, void *arg),
	       void *arg, unsigned *bad)
{
	char (*names)[STATS_FILE_NAME_MAX] = r->names;
	unsigned n;
	int ret = 0;

	unmap_all(r);
	n = stats_list(r->dir, names, STATS_FILES_MAX);
	if (n == (unsigned)-1)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		struct mapping *m = &r->maps[r->nmaps];

		strcpy(m->name, names[i]);
		m->map = stats_map_ro(r->dir, m->name, &m->len);
		if (!m->map || stats_check(m->map, m->len)) {
			if (m->map)
				munmap(m->map, m->len);
			if (bad)
				++*bad;
			continue;
		}
		r->nmaps++;
	}
	for (unsigned i = 0; i < r->nmaps && !ret; i++) {
		const struct stats_head *h = r->maps[i].map;
		struct stats_view v = {
			.file = r->maps[i].name,
			.head = h,
			.fields = (const struct stats_field *)((const char *)h + h->fields_off),
			.values = (const unsigned char *)h + h->values_off,
			.alive = stats_alive(h->pid),
		};

		ret = fn(&v, arg);
	}
	return ret;
}

uint64_t stats_value(const struct stats_view *v, unsigned i)
{
	return __atomic_load_n((const uint64_t *)(const void *)(v->values + v->fields[i].offset),
			       __ATOMIC_RELAXED);
}

bool stats_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}
