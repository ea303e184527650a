#!/bin/sh
# SPDX-License-Identifier: MIT
# cpio-list.sh DIR -- print a gen_init_cpio(1) list for the tree DIR: every
# entry owned by root, modes as in DIR (less group and other write: see
# below), in byte order of the names, plus the device nodes the kernel
# needs before devtmpfs is mounted.  No root privileges needed.
set -eu
dir=$1
cd "$dir"
# "." is the root itself: the kernel chmods it as it unpacks.
echo "dir . 0755 0 0"
echo "dir /dev 0755 0 0"
echo "nod /dev/console 0600 0 0 c 5 1"
echo "nod /dev/null 0666 0 0 c 1 3"
find . -mindepth 1 ! -name .stamp | LC_ALL=C sort | while IFS= read -r p; do
	name=${p#.}
	[ "$name" = /dev ] && continue
	mode=$(stat -c %a "$p")
	# The builder's umask (002 gives group write) does not reach the
	# image: no group or other write, but on a sticky directory (/tmp).
	case $mode in 1???) ;; *) mode=$(printf '%o' $((0$mode & ~022))) ;; esac
	if [ -L "$p" ]; then
		echo "slink $name $(readlink "$p") 0777 0 0"
	elif [ -d "$p" ]; then
		echo "dir $name $mode 0 0"
	elif [ -f "$p" ]; then
		echo "file $name $dir/$p $mode 0 0"
	else
		echo "cpio-list: $p: not a file, directory or symlink" >&2
		exit 1
	fi
done
