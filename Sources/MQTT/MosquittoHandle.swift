import CMosquitto
#if canImport(Glibc)
import Glibc
#endif

/// Owns one `struct mosquitto *`: created with its options and callbacks, destroyed (socket
/// closed, memory freed) in `deinit`. Used by the client's network thread only.
final class MosquittoHandle {
    let raw: OpaquePointer
    /// The files `raw` reads certificates from; they must outlive it.
    private let tlsFiles: TLSFiles?

    /// `context` is handed back to every callback (the owning ``NetworkLoop``).
    init(options: MQTTClientOptions, context: UnsafeMutableRawPointer) throws(MQTTError) {
        MQTTLibrary.ensureInitialized()
        guard let raw = mosquitto_new(options.clientID, true, context) else {
            throw MQTTError("cannot create an MQTT client: \(String(cString: strerror(errno)))")
        }
        self.raw = raw
        do {
            tlsFiles = try options.tls.map { tls throws(MQTTError) in try TLSFiles(tls) }
            try configure(options)
        } catch {
            mosquitto_destroy(raw)
            throw error
        }
    }

    deinit { mosquitto_destroy(raw) }

    private func configure(_ options: MQTTClientOptions) throws(MQTTError) {
        try check(mosquitto_int_option(raw, MOSQ_OPT_PROTOCOL_VERSION, options.protocolVersion.rawValue), "protocol version")
        // Messages go out as soon as they are written: with Nagle's algorithm a small publish could
        // wait for the acknowledgement of the one before (on loopback, for up to 40 ms).
        try check(mosquitto_int_option(raw, MOSQ_OPT_TCP_NODELAY, 1), "TCP_NODELAY")
        if options.username != nil || options.password != nil {
            try check(mosquitto_username_pw_set(raw, options.username, options.password), "username and password")
        }
        if let tls = options.tls, let files = tlsFiles {
            // No CA given: the system's trust store (Debian's hashed directory).
            let caPath: String? = files.caFile == nil ? "/etc/ssl/certs" : nil
            let result = mosquitto_tls_set(raw, files.caFile, caPath, files.certificateFile, files.keyFile, nil)
            if result != MOSQ_ERR_SUCCESS.rawValue {
                throw MQTTError(tls.clientCertificate != nil && tls.clientKey == nil || tls.clientCertificate == nil && tls.clientKey != nil
                    ? "tls: a client certificate needs its key, and a key its certificate"
                    : "tls: the certificate files cannot be read")
            }
            try check(mosquitto_tls_opts_set(raw, 1, nil, nil), "tls options")   // 1 = SSL_VERIFY_PEER
            try check(mosquitto_tls_insecure_set(raw, !tls.verifyHostname), "tls host name check")
        }
        mosquitto_connect_callback_set(raw) { _, context, code in
            NetworkLoop.from(context).brokerAnsweredConnect(code: code)
        }
        mosquitto_message_callback_set(raw) { _, context, message in
            guard let message else { return }
            NetworkLoop.from(context).received(message.pointee)
        }
        mosquitto_publish_callback_set(raw) { _, context, messageID in
            NetworkLoop.from(context).acknowledged(messageID)
        }
        mosquitto_log_callback_set(raw) { _, context, level, text in
            guard let text, level & Int32(MOSQ_LOG_ERR | MOSQ_LOG_WARNING) != 0 else { return }
            NetworkLoop.from(context).libraryLogged(String(cString: text))
        }
    }

    private func check(_ code: Int32, _ what: String) throws(MQTTError) {
        guard code == MOSQ_ERR_SUCCESS.rawValue else { throw MQTTError.library(code, doing: what) }
    }

    /// The socket, or -1 while there is no connection.
    var socket: Int32 { mosquitto_socket(raw) }
    var wantsWrite: Bool { mosquitto_want_write(raw) }
}
