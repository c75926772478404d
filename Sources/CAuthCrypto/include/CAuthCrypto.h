#ifndef CAUTHCRYPTO_H
#define CAUTHCRYPTO_H
#include <stddef.h>
#include <stdint.h>

/// Plain functions over OpenSSL 3 for sign-in and tokens: RSA keys (RS256), scrypt, HMAC,
/// SHA-256, random bytes and constant-time comparison. Keys are opaque pointers freed with
/// ac_key_free. Every function returns 1 on success and 0 on failure unless it says otherwise.

/// A new RSA private key of `bits` as PKCS#8 PEM in a malloc'd buffer (free with ac_free).
int ac_rsa_generate_pem(int bits, char **pem, size_t *pem_length);
/// Loads a PEM private key; NULL when it is not one.
void *ac_rsa_load_private_pem(const char *pem, size_t length);
/// The size of a signature made by `key`, in bytes.
int ac_rsa_signature_size(void *key);
/// RSASSA-PKCS1-v1_5 with SHA-256 over `message`; `signature` holds ac_rsa_signature_size bytes.
int ac_rsa_sign_sha256(void *key, const uint8_t *message, size_t length, uint8_t *signature, size_t *signature_length);
/// 1 when `signature` verifies for `message` under `key`, else 0.
int ac_rsa_verify_sha256(void *key, const uint8_t *message, size_t length, const uint8_t *signature, size_t signature_length);
/// The public modulus and exponent, big-endian; buffers of 1024 and 16 bytes are enough.
int ac_rsa_public_components(void *key, uint8_t *modulus, size_t *modulus_length, uint8_t *exponent, size_t *exponent_length);
void ac_key_free(void *key);
void ac_free(void *pointer);

int ac_scrypt(const uint8_t *password, size_t password_length, const uint8_t *salt, size_t salt_length,
              uint64_t n, uint64_t r, uint64_t p, uint8_t *out, size_t out_length);
/// HMAC-SHA-512 (64 bytes out).
int ac_hmac_sha512(const uint8_t *key, size_t key_length, const uint8_t *message, size_t length, uint8_t *out);
/// SHA-256 (32 bytes out).
int ac_sha256(const uint8_t *message, size_t length, uint8_t *out);
int ac_random(uint8_t *out, size_t length);
/// 1 when the two buffers are equal, compared in constant time.
int ac_equal(const uint8_t *a, const uint8_t *b, size_t length);

#endif
