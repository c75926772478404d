#include "CCrypto.h"
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

static const EVP_MD *message_digest(cc_digest_kind kind) {
    switch (kind) {
    case CC_MD5: return EVP_md5();
    case CC_SHA1: return EVP_sha1();
    case CC_SHA256: return EVP_sha256();
    case CC_SHA512: return EVP_sha512();
    }
    return NULL;
}

int cc_random(uint8_t *out, size_t length) {
    if (length == 0) return 1;
    return RAND_bytes(out, (int)length) == 1;
}

size_t cc_digest_size(cc_digest_kind kind) {
    const EVP_MD *md = message_digest(kind);
    return md ? (size_t)EVP_MD_get_size(md) : 0;
}

int cc_digest(cc_digest_kind kind, const uint8_t *message, size_t length, uint8_t *out) {
    const EVP_MD *md = message_digest(kind);
    unsigned int written = 0;
    return md && EVP_Digest(message, length, out, &written, md, NULL) == 1;
}

struct cc_digest_stream { EVP_MD_CTX *context; };

cc_digest_stream *cc_digest_stream_new(cc_digest_kind kind) {
    const EVP_MD *md = message_digest(kind);
    if (!md) return NULL;
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (!context) return NULL;
    if (EVP_DigestInit_ex(context, md, NULL) != 1) {
        EVP_MD_CTX_free(context);
        return NULL;
    }
    cc_digest_stream *stream = OPENSSL_malloc(sizeof *stream);
    if (!stream) {
        EVP_MD_CTX_free(context);
        return NULL;
    }
    stream->context = context;
    return stream;
}

int cc_digest_stream_update(cc_digest_stream *stream, const void *bytes, size_t length) {
    return EVP_DigestUpdate(stream->context, bytes, length) == 1;
}

int cc_digest_stream_finish(cc_digest_stream *stream, uint8_t *out) {
    return EVP_DigestFinal_ex(stream->context, out, NULL) == 1;
}

void cc_digest_stream_free(cc_digest_stream *stream) {
    if (!stream) return;
    EVP_MD_CTX_free(stream->context);
    OPENSSL_free(stream);
}

int cc_hmac(cc_digest_kind kind, const uint8_t *key, size_t key_length, const uint8_t *message, size_t length, uint8_t *out) {
    const EVP_MD *md = message_digest(kind);
    unsigned int written = 0;
    static const uint8_t empty = 0;
    return md && HMAC(md, key_length ? key : &empty, (int)key_length, message, length, out, &written) != NULL
        && written == (unsigned int)EVP_MD_get_size(md);
}

int cc_equal(const uint8_t *a, const uint8_t *b, size_t length) { return CRYPTO_memcmp(a, b, length) == 0; }
