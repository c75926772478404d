#include "CCrypto.h"
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cc_tls {
    SSL_CTX *context;
    SSL *ssl;
};

static __thread char last_error[256];

static void remember_error(const char *what) {
    unsigned long code = ERR_get_error();
    if (code) {
        char detail[200];
        ERR_error_string_n(code, detail, sizeof detail);
        snprintf(last_error, sizeof last_error, "%s: %s", what, detail);
    } else {
        snprintf(last_error, sizeof last_error, "%s", what);
    }
    ERR_clear_error();
}

const char *cc_tls_last_error(void) { return last_error; }

cc_tls *cc_tls_new(int fd, const char *hostname, int verify) {
    SSL_CTX *context = SSL_CTX_new(TLS_client_method());
    if (!context) { remember_error("SSL_CTX_new"); return NULL; }
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    if (verify) {
        SSL_CTX_set_default_verify_paths(context);
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, NULL);
    } else {
        SSL_CTX_set_verify(context, SSL_VERIFY_NONE, NULL);
    }
    SSL *ssl = SSL_new(context);
    if (!ssl) { remember_error("SSL_new"); SSL_CTX_free(context); return NULL; }
    SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (hostname && *hostname) {
        SSL_set_tlsext_host_name(ssl, hostname);
        if (verify) SSL_set1_host(ssl, hostname);
    }
    if (SSL_set_fd(ssl, fd) != 1) { remember_error("SSL_set_fd"); SSL_free(ssl); SSL_CTX_free(context); return NULL; }
    cc_tls *session = malloc(sizeof *session);
    if (!session) { snprintf(last_error, sizeof last_error, "out of memory"); SSL_free(ssl); SSL_CTX_free(context); return NULL; }
    session->context = context;
    session->ssl = ssl;
    return session;
}

int cc_tls_handshake(cc_tls *session) {
    int result = SSL_connect(session->ssl);
    if (result == 1) return 0;
    long verify = SSL_get_verify_result(session->ssl);
    if (verify != X509_V_OK) {
        snprintf(last_error, sizeof last_error, "certificate not trusted: %s", X509_verify_cert_error_string(verify));
        ERR_clear_error();
    } else {
        remember_error("TLS handshake failed");
    }
    return -1;
}

long cc_tls_read(cc_tls *session, void *buffer, size_t size) {
    size_t count = 0;
    int result = SSL_read_ex(session->ssl, buffer, size, &count);
    if (result == 1) return (long)count;
    int error = SSL_get_error(session->ssl, result);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return -1;
    if (error == SSL_ERROR_ZERO_RETURN) return 0;
    remember_error("TLS read failed");
    return -2;
}

int cc_tls_pending(cc_tls *session) { return SSL_pending(session->ssl) > 0; }

long cc_tls_write(cc_tls *session, const void *buffer, size_t size) {
    size_t count = 0;
    int result = SSL_write_ex(session->ssl, buffer, size, &count);
    if (result == 1) return (long)count;
    int error = SSL_get_error(session->ssl, result);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return -1;
    remember_error("TLS write failed");
    return -2;
}

void cc_tls_free(cc_tls *session) {
    if (!session) return;
    SSL_shutdown(session->ssl);
    SSL_free(session->ssl);
    SSL_CTX_free(session->context);
    free(session);
}
