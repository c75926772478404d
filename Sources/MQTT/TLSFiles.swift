import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// libmosquitto reads certificates and keys from files only, so the PEM texts of the options are
/// written to a private directory (mode 0700, files 0600) that lives as long as the client.
final class TLSFiles: Sendable {
    let directory: String
    let caFile: String?
    let certificateFile: String?
    let keyFile: String?

    init(_ tls: MQTTClientOptions.TLS) throws(MQTTError) {
        let created = try PrivateDirectory.create(prefix: "backoffice-mqtt-tls")
        directory = created
        do throws(MQTTError) {
            caFile = try tls.caCertificates.map { text throws(MQTTError) in try Self.write(text, to: "\(created)/ca.pem") }
            certificateFile = try tls.clientCertificate.map { text throws(MQTTError) in try Self.write(text, to: "\(created)/client.pem") }
            keyFile = try tls.clientKey.map { text throws(MQTTError) in try Self.write(text, to: "\(created)/client.key") }
        } catch {
            try? FileManager.default.removeItem(atPath: created)
            throw error
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Writes `text` to a new file at `path` and returns the path.
    private static func write(_ text: String, to path: String) throws(MQTTError) -> String {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw MQTTError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw MQTTError("cannot write \(path): \(String(cString: strerror(errno)))") }
        return path
    }
}
