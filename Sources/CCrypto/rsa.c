#include "CCrypto.h"
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/core_names.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>

int cc_rsa_generate_pem(int bits, char **pem, size_t *pem_length) {
    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
    EVP_PKEY *key = NULL;
    int ok = 0;
    if (!context) return 0;
    if (EVP_PKEY_keygen_init(context) == 1 && EVP_PKEY_CTX_set_rsa_keygen_bits(context, bits) == 1 &&
        EVP_PKEY_keygen(context, &key) == 1) {
        BIO *bio = BIO_new(BIO_s_mem());
        if (bio && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1) {
            char *data = NULL;
            long length = BIO_get_mem_data(bio, &data);
            if (length > 0 && (*pem = malloc((size_t)length)) != NULL) {
                memcpy(*pem, data, (size_t)length);
                *pem_length = (size_t)length;
                ok = 1;
            }
        }
        BIO_free(bio);
    }
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(context);
    return ok;
}

void *cc_rsa_load_private_pem(const char *pem, size_t length) {
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    if (!bio) return NULL;
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (key && EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
        EVP_PKEY_free(key);
        return NULL;
    }
    return key;
}

int cc_rsa_signature_size(void *key) { return EVP_PKEY_get_size((EVP_PKEY *)key); }

int cc_rsa_sign_sha256(void *key, const uint8_t *message, size_t length, uint8_t *signature, size_t *signature_length) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    int ok = 0;
    if (!context) return 0;
    size_t capacity = (size_t)EVP_PKEY_get_size((EVP_PKEY *)key);
    if (EVP_DigestSignInit(context, NULL, EVP_sha256(), NULL, (EVP_PKEY *)key) == 1 &&
        EVP_DigestSign(context, signature, &capacity, message, length) == 1) {
        *signature_length = capacity;
        ok = 1;
    }
    EVP_MD_CTX_free(context);
    return ok;
}

int cc_rsa_verify_sha256(void *key, const uint8_t *message, size_t length, const uint8_t *signature, size_t signature_length) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    int ok = 0;
    if (!context) return 0;
    if (EVP_DigestVerifyInit(context, NULL, EVP_sha256(), NULL, (EVP_PKEY *)key) == 1 &&
        EVP_DigestVerify(context, signature, signature_length, message, length) == 1) {
        ok = 1;
    }
    EVP_MD_CTX_free(context);
    ERR_clear_error();
    return ok;
}

int cc_rsa_public_components(void *key, uint8_t *modulus, size_t *modulus_length, uint8_t *exponent, size_t *exponent_length) {
    BIGNUM *n = NULL, *e = NULL;
    int ok = 0;
    if (EVP_PKEY_get_bn_param((EVP_PKEY *)key, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
        EVP_PKEY_get_bn_param((EVP_PKEY *)key, OSSL_PKEY_PARAM_RSA_E, &e) == 1 &&
        (size_t)BN_num_bytes(n) <= *modulus_length && (size_t)BN_num_bytes(e) <= *exponent_length) {
        *modulus_length = (size_t)BN_bn2bin(n, modulus);
        *exponent_length = (size_t)BN_bn2bin(e, exponent);
        ok = 1;
    }
    BN_free(n);
    BN_free(e);
    return ok;
}

void cc_key_free(void *key) { EVP_PKEY_free((EVP_PKEY *)key); }
void cc_free(void *pointer) { free(pointer); }
