import Crypto

/// A transport's TLS: the shared client session of `Crypto`, opened on the transport's socket.
typealias TLSSession = TLSClientSession

extension TLSClientSession {
    /// Runs the handshake on `handle` (up to `timeout`); a failure is the driver error `failed`.
    convenience init(handle: SocketHandle, hostname: String, verify: Bool, timeout: Duration) throws(DriverError) {
        do {
            try self.init(fd: handle.fd, hostname: hostname, verify: verify, timeout: timeout)
        } catch {
            throw .failed(error.message)
        }
    }
}
