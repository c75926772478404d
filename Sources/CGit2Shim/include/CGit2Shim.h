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
#endif
