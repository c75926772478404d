#ifndef CCRYPTO_H
#define CCRYPTO_H
/// Plain functions over OpenSSL 3 for the `Crypto` module, the one place BackOffice calls OpenSSL:
/// random bytes, digests, HMAC, constant-time comparison, key derivation (HKDF, scrypt),
/// AES-256-GCM, RSA keys with RS256, and a TLS client session. OpenSSL's headers stay inside the
/// .c files. Every function returns 1 on success and 0 on failure unless it says otherwise.
#include <stddef.h>
#include <stdint.h>

// MARK: random, digests, HMAC, comparison

/// The digests a caller may ask for. MD5 and SHA-1 only where a protocol requires them.
typedef enum { CC_MD5 = 0, CC_SHA1 = 1, CC_SHA256 = 2, CC_SHA512 = 3 } cc_digest_kind;

/// `length` bytes from OpenSSL's CSPRNG.
int cc_random(uint8_t *out, size_t length);
/// The digest's output size in bytes (16, 20, 32, 64).
size_t cc_digest_size(cc_digest_kind kind);
/// One-shot digest of `length` bytes; `out` holds cc_digest_size bytes.
int cc_digest(cc_digest_kind kind, const uint8_t *message, size_t length, uint8_t *out);

/// An incremental digest (a git pack's trailing SHA-1). NULL on failure; free with cc_digest_stream_free.
typedef struct cc_digest_stream cc_digest_stream;
cc_digest_stream *cc_digest_stream_new(cc_digest_kind kind);
int cc_digest_stream_update(cc_digest_stream *stream, const void *bytes, size_t length);
/// Writes the digest (cc_digest_size bytes); the stream cannot be updated afterwards.
int cc_digest_stream_finish(cc_digest_stream *stream, uint8_t *out);
void cc_digest_stream_free(cc_digest_stream *stream);

/// HMAC with `kind`; `out` holds cc_digest_size bytes.
int cc_hmac(cc_digest_kind kind, const uint8_t *key, size_t key_length, const uint8_t *message, size_t length, uint8_t *out);
/// 1 when the two buffers are equal, compared in constant time.
int cc_equal(const uint8_t *a, const uint8_t *b, size_t length);

// MARK: key derivation and encryption

/// HKDF-SHA256 (RFC 5869); an empty salt means no salt.
int cc_hkdf_sha256(const uint8_t *key, size_t key_length, const uint8_t *salt, size_t salt_length,
                   const uint8_t *info, size_t info_length, uint8_t *out, size_t out_length);
/// scrypt (RFC 7914) with cost N, block size r and parallelism p.
int cc_scrypt(const uint8_t *password, size_t password_length, const uint8_t *salt, size_t salt_length,
              uint64_t n, uint64_t r, uint64_t p, uint8_t *out, size_t out_length);
/// AES-256-GCM with a 32-byte key and a 12-byte nonce: `out` receives `length` bytes of ciphertext
/// followed by the 16-byte tag.
int cc_aes256gcm_seal(const uint8_t *key, const uint8_t *nonce, const uint8_t *aad, size_t aad_length,
                      const uint8_t *plaintext, size_t length, uint8_t *out);
/// Opens `ciphertext || tag` (`sealed_length` >= 16): `out` receives sealed_length - 16 bytes.
/// 0 when the tag does not verify.
int cc_aes256gcm_open(const uint8_t *key, const uint8_t *nonce, const uint8_t *aad, size_t aad_length,
                      const uint8_t *sealed, size_t sealed_length, uint8_t *out);

// MARK: RSA (RS256)

/// A new RSA private key of `bits` as PKCS#8 PEM in a malloc'd buffer (free with cc_free).
int cc_rsa_generate_pem(int bits, char **pem, size_t *pem_length);
/// Loads a PEM private key; NULL when it is not an RSA private key. Free with cc_key_free.
void *cc_rsa_load_private_pem(const char *pem, size_t length);
/// The size of a signature made by `key`, in bytes.
int cc_rsa_signature_size(void *key);
/// RSASSA-PKCS1-v1_5 with SHA-256 over `message`; `signature` holds cc_rsa_signature_size bytes.
int cc_rsa_sign_sha256(void *key, const uint8_t *message, size_t length, uint8_t *signature, size_t *signature_length);
/// 1 when `signature` verifies for `message` under `key`, else 0.
int cc_rsa_verify_sha256(void *key, const uint8_t *message, size_t length, const uint8_t *signature, size_t signature_length);
/// The public modulus and exponent, big-endian; buffers of 1024 and 16 bytes are enough.
int cc_rsa_public_components(void *key, uint8_t *modulus, size_t *modulus_length, uint8_t *exponent, size_t *exponent_length);
void cc_key_free(void *key);
void cc_free(void *pointer);

// MARK: public keys of others (ID tokens: RS256, ES256)

/// An RSA public key from its big-endian modulus and exponent; NULL when OpenSSL refuses it.
/// Free with cc_key_free.
void *cc_rsa_public_from_components(const uint8_t *modulus, size_t modulus_length, const uint8_t *exponent, size_t exponent_length);
/// An EC P-256 public key from its 32-byte big-endian affine coordinates; NULL when the point is
/// not on the curve. Free with cc_key_free.
void *cc_ec_p256_public_from_coordinates(const uint8_t *x, const uint8_t *y);
/// The key's size in bits (RSA modulus, EC group).
int cc_key_bits(void *key);
/// ECDSA P-256 with SHA-256 over `message`; `raw_signature` is r || s, 64 bytes (the JWS form).
int cc_ecdsa_p256_verify_sha256(void *key, const uint8_t *message, size_t length, const uint8_t *raw_signature);

// MARK: TLS client

typedef struct cc_tls cc_tls;

/// Starts a client session on the connected socket `fd`; `hostname` is sent as SNI (and checked
/// when `verify`). NULL on failure (see cc_tls_last_error).
cc_tls *cc_tls_new(int fd, const char *hostname, int verify);
/// Runs the handshake (on a blocking socket). 0 on success, -1 on failure.
int cc_tls_handshake(cc_tls *session);
/// Reads decrypted bytes: > 0 count, 0 closed by the peer, -1 nothing available now, -2 error.
long cc_tls_read(cc_tls *session, void *buffer, size_t size);
/// Whether decrypted bytes are already buffered (read again without waiting for the socket).
int cc_tls_pending(cc_tls *session);
/// Writes bytes: >= 0 count written (may be partial), -1 would block, -2 error.
long cc_tls_write(cc_tls *session, const void *buffer, size_t size);
/// Sends close_notify (best effort) and frees the session; does not close the socket.
void cc_tls_free(cc_tls *session);
/// The last TLS error of this thread as text (valid until the next call).
const char *cc_tls_last_error(void);

#endif
