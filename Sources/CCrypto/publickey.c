#include "CCrypto.h"
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <string.h>

/// A public key from parameters, checked: NULL unless OpenSSL accepts it as a public key of its type.
static EVP_PKEY *key_from_params(const char *type, OSSL_PARAM *params) {
    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *key = NULL;
    if (context && EVP_PKEY_fromdata_init(context) == 1) {
        if (EVP_PKEY_fromdata(context, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = NULL;
    }
    EVP_PKEY_CTX_free(context);
    if (key) {
        EVP_PKEY_CTX *check = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
        int valid = check && EVP_PKEY_public_check(check) == 1;
        EVP_PKEY_CTX_free(check);
        if (!valid) {
            EVP_PKEY_free(key);
            key = NULL;
        }
    }
    ERR_clear_error();
    return key;
}

void *cc_rsa_public_from_components(const uint8_t *modulus, size_t modulus_length, const uint8_t *exponent, size_t exponent_length) {
    BIGNUM *n = BN_bin2bn(modulus, (int)modulus_length, NULL);
    BIGNUM *e = BN_bin2bn(exponent, (int)exponent_length, NULL);
    OSSL_PARAM_BLD *builder = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY *key = NULL;
    if (n && e && builder && OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, n) == 1 &&
        OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, e) == 1 && (params = OSSL_PARAM_BLD_to_param(builder)) != NULL) {
        key = key_from_params("RSA", params);
    }
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(builder);
    BN_free(n);
    BN_free(e);
    return key;
}

void *cc_ec_p256_public_from_coordinates(const uint8_t *x, const uint8_t *y) {
    uint8_t point[65];
    point[0] = 0x04;  // uncompressed
    memcpy(point + 1, x, 32);
    memcpy(point + 33, y, 32);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point),
        OSSL_PARAM_construct_end(),
    };
    return key_from_params("EC", params);
}

int cc_key_bits(void *key) { return EVP_PKEY_get_bits((EVP_PKEY *)key); }

int cc_ecdsa_p256_verify_sha256(void *key, const uint8_t *message, size_t length, const uint8_t *raw_signature) {
    // JWS carries r || s (32 bytes each); OpenSSL verifies the DER form.
    ECDSA_SIG *signature = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw_signature, 32, NULL);
    BIGNUM *s = BN_bin2bn(raw_signature + 32, 32, NULL);
    unsigned char *der = NULL;
    int ok = 0;
    if (signature && r && s && ECDSA_SIG_set0(signature, r, s) == 1) {
        r = s = NULL;  // owned by the signature now
        int der_length = i2d_ECDSA_SIG(signature, &der);
        // EVP_DigestVerify does not care whether the key is RSA or EC.
        if (der_length > 0) ok = cc_rsa_verify_sha256(key, message, length, der, (size_t)der_length);
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(signature);
    OPENSSL_free(der);
    ERR_clear_error();
    return ok;
}
