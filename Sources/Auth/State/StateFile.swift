#if canImport(Glibc)
import Glibc
#endif
import ConfigRepo
import Crypto
import WebServer

/// One JSON file of authentication state in `<state>/auth/` (never the config repository):
/// written atomically (temporary file, fsync, rename) with mode 0600 in a 0700 directory.
public struct StateFile: Sendable {
    public let path: String

    public init(directory: String, name: String) {
        path = directory + "/" + name
    }

    /// Creates `<state>/auth` (mode 0700) and returns its path.
    public static func authDirectory(stateDirectory: String) throws -> String {
        let directory = stateDirectory + "/auth"
        if mkdir(stateDirectory, 0o700) != 0 && errno != EEXIST { throw StateFileError(path: stateDirectory, errno: errno) }
        if mkdir(directory, 0o700) != 0 && errno != EEXIST { throw StateFileError(path: directory, errno: errno) }
        chmod(directory, 0o700)
        return directory
    }

    /// The file's bytes, or nil when it does not exist.
    public func readBytes() throws -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw StateFileError(path: path, errno: errno)
        }
        defer { close(descriptor) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            if count < 0 { throw StateFileError(path: path, errno: errno) }
            if count == 0 { break }
            out += chunk[..<count]
        }
        return out
    }

    /// The parsed JSON, nil when the file does not exist.
    public func readJSON() throws -> JSONValue? {
        guard let bytes = try readBytes() else { return nil }
        return try JSONParser.parse(bytes)
    }

    /// Replaces the file atomically with `bytes`, mode 0600.
    public func write(_ bytes: [UInt8]) throws {
        let temporary = path + ".tmp-\(getpid())-\(SecureRandom.token(6))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if descriptor < 0 { throw StateFileError(path: temporary, errno: errno) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if count < 0 {
                let code = errno
                close(descriptor)
                unlink(temporary)
                throw StateFileError(path: temporary, errno: code)
            }
            written += count
        }
        fsync(descriptor)
        close(descriptor)
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw StateFileError(path: path, errno: code)
        }
    }

    public func writeJSON(_ value: JSONValue) throws { try write(JSONWriter.canonicalBytes(value)) }

    /// Appends one line (the access log); creates the file with mode 0600.
    public func append(line: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, bytes.count) }
    }
}

public struct StateFileError: Error, CustomStringConvertible {
    public var path: String
    public var errno: Int32
    public var description: String { "\(path): \(String(cString: strerror(errno)))" }
}
