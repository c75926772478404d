#ifndef CGIT2SHIM_H
#define CGIT2SHIM_H
/// Plain functions for the parts of libgit2 Swift cannot import (variadic `git_libgit2_opts`).

/// Turns on fsync of objects and refs in the git directory. Returns libgit2's result code.
int cgit2_enable_fsync(int enabled);

/// Sets libgit2's cache limit in bytes. Returns libgit2's result code.
int cgit2_set_cache_max_size(long long bytes);
/// Sets the largest object of `type` (a git_object_t) that libgit2's object cache keeps,
/// in bytes. Returns libgit2's result code.
int cgit2_set_cache_object_limit(int type, long long bytes);

#include <stddef.h>
/// The largest zlib stream `cgit2_deflate` can produce for `length` bytes.
size_t cgit2_deflate_bound(size_t length);
/// Compresses `length` bytes into one zlib stream (header, deflate data, adler32 trailer) at
/// `level` (1 = fastest). Returns the bytes written, or -1 when `capacity` is too small.
long long cgit2_deflate(int level, const void *source, size_t length, void *destination, size_t capacity);
#endif
