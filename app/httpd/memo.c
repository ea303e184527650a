/* SPDX-License-Identifier: MIT */
/* memo.c -- see memo.h.  Pure. */
#include "memo.h"

#include <string.h>

/* FNV-1a of the path, folded onto the slots; *len gets its length. */
static unsigned slot_of(const char *path, size_t *len)
{
	uint32_t h = 2166136261u;
	size_t n = 0;

	for (; path[n]; n++)
		h = (h ^ (unsigned char)path[n]) * 16777619u;
	*len = n;
	return (h ^ h >> 16) % MEMO_SLOTS;
}

bool memo_find(const struct memo *m, const char *path, int64_t now_ms, struct stat *st)
{
	size_t len;
	const struct memo_slot *s = &m->slot[slot_of(path, &len)];

	if (len >= MEMO_PATH || !s->until_ms || now_ms >= s->until_ms ||
	    memcmp(s->path, path, len + 1) != 0)
		return false;
	memset(st, 0, sizeof *st);
	st->st_dev = s->dev;
	st->st_ino = s->ino;
	st->st_size = s->size;
	st->st_mtim = s->mtim;
	st->st_mode = S_IFREG;
	return true;
}

void memo_keep(struct memo *m, const char *path, const struct stat *st, int64_t now_ms,
	       unsigned for_ms)
{
	size_t len;
	struct memo_slot *s = &m->slot[slot_of(path, &len)];

	if (!for_ms || len >= MEMO_PATH || !S_ISREG(st->st_mode))
		return;
	s->until_ms = now_ms + for_ms;
	s->dev = st->st_dev;
	s->ino = st->st_ino;
	s->size = st->st_size;
	s->mtim = st->st_mtim;
	memcpy(s->path, path, len + 1);
}

void memo_forget(struct memo *m, const char *path)
{
	size_t len;
	struct memo_slot *s = &m->slot[slot_of(path, &len)];

	if (len < MEMO_PATH && memcmp(s->path, path, len + 1) == 0)
		s->until_ms = 0;
}

void memo_clear(struct memo *m)
{
	for (unsigned i = 0; i < MEMO_SLOTS; i++)
		m->slot[i].until_ms = 0;
}
