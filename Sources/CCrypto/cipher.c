#include "CCrypto.h"
#include <openssl/evp.h>
#include <openssl/kdf.h>

int cc_hkdf_sha256(const uint8_t *key, size_t key_length, const uint8_t *salt, size_t salt_length,
                   const uint8_t *info, size_t info_length, uint8_t *out, size_t out_length) {
    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    if (!context) return 0;
    size_t written = out_length;
    int ok = EVP_PKEY_derive_init(context) == 1
        && EVP_PKEY_CTX_set_hkdf_md(context, EVP_sha256()) == 1
        && EVP_PKEY_CTX_set1_hkdf_key(context, key, (int)key_length) == 1
        && (salt_length == 0 || EVP_PKEY_CTX_set1_hkdf_salt(context, salt, (int)salt_length) == 1)
        && (info_length == 0 || EVP_PKEY_CTX_add1_hkdf_info(context, info, (int)info_length) == 1)
        && EVP_PKEY_derive(context, out, &written) == 1
        && written == out_length;
    EVP_PKEY_CTX_free(context);
    return ok;
}

int cc_scrypt(const uint8_t *password, size_t password_length, const uint8_t *salt, size_t salt_length,
              uint64_t n, uint64_t r, uint64_t p, uint8_t *out, size_t out_length) {
    uint64_t memory = 128 * n * r * p + 128 * r * p + (1u << 20);
    return EVP_PBE_scrypt((const char *)password, password_length, salt, salt_length, n, r, p, memory, out, out_length) == 1;
}

enum { TAG_LENGTH = 16 };

int cc_aes256gcm_seal(const uint8_t *key, const uint8_t *nonce, const uint8_t *aad, size_t aad_length,
                      const uint8_t *plaintext, size_t length, uint8_t *out) {
    EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
    if (!context) return 0;
    int written = 0, final = 0;
    // GCM is a stream mode: the ciphertext is exactly as long as the plaintext.
    int ok = EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), NULL, key, nonce) == 1
        && (aad_length == 0 || EVP_EncryptUpdate(context, NULL, &written, aad, (int)aad_length) == 1)
        && (length == 0 || (EVP_EncryptUpdate(context, out, &written, plaintext, (int)length) == 1 && (size_t)written == length))
        && EVP_EncryptFinal_ex(context, out + length, &final) == 1 && final == 0
        && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, TAG_LENGTH, out + length) == 1;
    EVP_CIPHER_CTX_free(context);
    return ok;
}

int cc_aes256gcm_open(const uint8_t *key, const uint8_t *nonce, const uint8_t *aad, size_t aad_length,
                      const uint8_t *sealed, size_t sealed_length, uint8_t *out) {
    if (sealed_length < TAG_LENGTH) return 0;
    size_t length = sealed_length - TAG_LENGTH;
    uint8_t tag[TAG_LENGTH];
    for (int index = 0; index < TAG_LENGTH; index++) tag[index] = sealed[length + index];
    EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
    if (!context) return 0;
    int written = 0, final = 0;
    int ok = EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), NULL, key, nonce) == 1
        && (aad_length == 0 || EVP_DecryptUpdate(context, NULL, &written, aad, (int)aad_length) == 1)
        && (length == 0 || (EVP_DecryptUpdate(context, out, &written, sealed, (int)length) == 1 && (size_t)written == length))
        && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, TAG_LENGTH, tag) == 1
        && EVP_DecryptFinal_ex(context, out + length, &final) == 1;
    EVP_CIPHER_CTX_free(context);
    return ok;
}
