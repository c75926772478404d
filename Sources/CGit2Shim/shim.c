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
#include <stdlib.h>
#include <string.h>

size_t cgit2_deflate_bound(size_t length) {
    return (size_t)compressBound((uLong)length);
}

int cgit2_inflate_exact(const void *source, size_t length, void *destination, size_t capacity, size_t *consumed) {
    unsigned char spare;
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (inflateInit(&stream) != Z_OK) return -1;
    stream.next_in = (Bytef *)source;
    stream.avail_in = (uInt)length;
    stream.next_out = capacity > 0 ? (Bytef *)destination : &spare;
    stream.avail_out = (uInt)capacity;
    int status = inflate(&stream, Z_FINISH);
    int complete = status == Z_STREAM_END && stream.total_out == capacity;
    if (consumed) *consumed = (size_t)stream.total_in;
    inflateEnd(&stream);
    return complete ? 0 : -1;
}

int cgit2_inflate_all(const void *source, size_t length, void **output, size_t *output_length) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (inflateInit(&stream) != Z_OK) return -1;
    size_t capacity = length * 4 + 64;
    unsigned char *buffer = malloc(capacity);
    if (!buffer) { inflateEnd(&stream); return -1; }
    stream.next_in = (Bytef *)source;
    stream.avail_in = (uInt)length;
    int status;
    for (;;) {
        stream.next_out = buffer + stream.total_out;
        stream.avail_out = (uInt)(capacity - stream.total_out);
        status = inflate(&stream, Z_NO_FLUSH);
        if (status == Z_STREAM_END) break;
        if (status != Z_OK && status != Z_BUF_ERROR) break;
        if (stream.avail_out > 0 && stream.avail_in == 0) { status = Z_DATA_ERROR; break; }
        capacity *= 2;
        unsigned char *grown = realloc(buffer, capacity);
        if (!grown) { status = Z_MEM_ERROR; break; }
        buffer = grown;
    }
    if (status != Z_STREAM_END) {
        free(buffer);
        inflateEnd(&stream);
        return -1;
    }
    *output = buffer;
    *output_length = (size_t)stream.total_out;
    inflateEnd(&stream);
    return 0;
}

unsigned int cgit2_crc32(unsigned int crc, const void *data, size_t length) {
    return (unsigned int)crc32((uLong)crc, (const Bytef *)data, (uInt)length);
}

struct cgit2_deflater { z_stream stream; };

struct cgit2_deflater *cgit2_deflater_new(int level) {
    struct cgit2_deflater *deflater = calloc(1, sizeof *deflater);
    if (!deflater) return NULL;
    if (deflateInit(&deflater->stream, level) != Z_OK) { free(deflater); return NULL; }
    return deflater;
}

long long cgit2_deflater_run(struct cgit2_deflater *deflater, const void *source, size_t length, void *destination, size_t capacity) {
    z_stream *stream = &deflater->stream;
    if (deflateReset(stream) != Z_OK) return -1;
    stream->next_in = (Bytef *)source;
    stream->avail_in = (uInt)length;
    stream->next_out = (Bytef *)destination;
    stream->avail_out = (uInt)capacity;
    int status = deflate(stream, Z_FINISH);
    return status == Z_STREAM_END ? (long long)stream->total_out : -1;
}

void cgit2_deflater_free(struct cgit2_deflater *deflater) {
    if (!deflater) return;
    deflateEnd(&deflater->stream);
    free(deflater);
}
