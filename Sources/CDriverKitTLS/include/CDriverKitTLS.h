#ifndef CDRIVERKITTLS_H
#define CDRIVERKITTLS_H
/// A TLS client session over a connected socket, for DriverKit's transports. Plain functions
/// only: OpenSSL's headers stay inside tls.c.
#include <stddef.h>

typedef struct dk_tls dk_tls;

/// Starts a client session on `fd`; `hostname` is sent as SNI (and checked when `verify`).
/// Returns NULL on failure (see dk_tls_last_error).
dk_tls *dk_tls_new(int fd, const char *hostname, int verify);

/// Runs the handshake on a blocking socket. 0 on success, -1 on failure.
int dk_tls_handshake(dk_tls *session);

/// Reads decrypted bytes: > 0 count, 0 closed by the peer, -1 nothing available now, -2 error.
long dk_tls_read(dk_tls *session, void *buffer, size_t size);

/// Whether decrypted bytes are already buffered (read again without waiting for the socket).
int dk_tls_pending(dk_tls *session);

/// Writes bytes: >= 0 count written (may be partial), -1 would block, -2 error.
long dk_tls_write(dk_tls *session, const void *buffer, size_t size);

/// Sends close_notify (best effort) and frees the session; does not close the socket.
void dk_tls_free(dk_tls *session);

/// The last error of this thread as text (valid until the next call).
const char *dk_tls_last_error(void);
#endif
