#include <git2.h>
#include "CGit2Shim.h"

int cgit2_enable_fsync(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, enabled);
}

int cgit2_set_cache_max_size(long long bytes) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)bytes);
}

int cgit2_set_cache_object_limit(int type, long long bytes) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, (git_object_t)type, (size_t)bytes);
}

#include <zlib.h>

size_t cgit2_deflate_bound(size_t length) {
    return (size_t)compressBound((uLong)length);
}

long long cgit2_deflate(int level, const void *source, size_t length, void *destination, size_t capacity) {
    uLongf written = (uLongf)capacity;
    int status = compress2((Bytef *)destination, &written, (const Bytef *)source, (uLong)length, level);
    return status == Z_OK ? (long long)written : -1;
}
