#ifndef CGIT2SHIM_H
#define CGIT2SHIM_H
/// Plain functions for what Swift cannot import: libgit2 options (variadic `git_libgit2_opts`)
/// and zlib, in which git stores every object.

/// Turns on fsync of objects and refs in the git directory. Returns libgit2's result code.
int cgit2_enable_fsync(int enabled);

/// Sets libgit2's cache limit in bytes. Returns libgit2's result code.
int cgit2_set_cache_max_size(long long bytes);
/// Sets the largest object of `type` (a git_object_t) that libgit2's object cache keeps,
/// in bytes. Returns libgit2's result code.
int cgit2_set_cache_object_limit(int type, long long bytes);

#include <stddef.h>
/// The largest zlib stream `cgit2_deflater_run` can produce for `length` bytes.
size_t cgit2_deflate_bound(size_t length);

/// Inflates one zlib stream of `source` (at most `length` bytes; it may be followed by other
/// data) into exactly `capacity` bytes at `destination`. Sets `*consumed` to the compressed
/// bytes used. Returns 0, or -1 when the stream is corrupt or does not inflate to exactly
/// `capacity` bytes.
int cgit2_inflate_exact(const void *source, size_t length, void *destination, size_t capacity, size_t *consumed);
/// Inflates a whole zlib stream of unknown inflated size into a new `malloc`ed buffer
/// (`*output`, `*output_length`), which the caller frees. Returns 0, or -1.
int cgit2_inflate_all(const void *source, size_t length, void **output, size_t *output_length);
/// Continues the CRC-32 `crc` (0 to start) over `length` bytes, as zlib's `crc32`.
unsigned int cgit2_crc32(unsigned int crc, const void *data, size_t length);

/// A reusable zlib compressor (one allocation for many small streams).
struct cgit2_deflater;
/// A compressor at `level` (1 = fastest); NULL when zlib cannot allocate one.
struct cgit2_deflater *cgit2_deflater_new(int level);
/// Compresses `length` bytes into one zlib stream at `destination`; returns the bytes
/// written, or -1 when `capacity` (see `cgit2_deflate_bound`) is too small.
long long cgit2_deflater_run(struct cgit2_deflater *deflater, const void *source, size_t length, void *destination, size_t capacity);
void cgit2_deflater_free(struct cgit2_deflater *deflater);
#endif
