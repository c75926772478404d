#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one rule for reading a secret file of the state directory — the deployment secret, the
/// token signing key, the CSRF key, and the auth state files (sessions, passwords, tokens):
/// refused, with the path and what to do, when it is a symbolic link or not a regular file,
/// or when group or others may read or change it (mode `& 0o077`). A copy someone else could
/// read may have leaked: quietly repairing the mode would hide that, so nothing is loaded until
/// a person decides (`chmod 600`). docs/settings-and-secrets.md, "Secret files".
public enum SecretFile {
    /// The file's bytes, or nil when it does not exist. Refuses files over `maximumBytes`.
    public static func read(_ path: String, maximumBytes: Int = 64 << 20) throws(SecretFileError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { return nil }
            if code == ELOOP { throw SecretFileError(path: path, message: "it is a symbolic link; a secret file must be a regular file") }
            throw SecretFileError(path: path, message: "cannot open it: \(describe(code))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw SecretFileError(path: path, message: "cannot read its attributes: \(describe(errno))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw SecretFileError(path: path, message: "it is not a regular file") }
        let permissions = info.st_mode & 0o777
        guard permissions & 0o077 == 0 else {
            throw SecretFileError(path: path, message: """
                its mode is \(octal(permissions)), so group or others can read or change it; \
                refusing to use it. If nobody else could have copied it, run `chmod 600 \(path)`; \
                otherwise treat it as leaked
                """)
        }
        guard Int(info.st_size) <= maximumBytes else {
            throw SecretFileError(path: path, message: "it is \(info.st_size) bytes, more than a secret file of this kind holds (\(maximumBytes))")
        }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(descriptor, &chunk, chunk.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw SecretFileError(path: path, message: "cannot read it: \(describe(errno))")
            }
            if count == 0 { break }
            guard out.count + count <= maximumBytes else {
                throw SecretFileError(path: path, message: "it grew past \(maximumBytes) bytes while being read")
            }
            out += chunk[..<count]
        }
        return out
    }

    private static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }

    private static func octal(_ mode: mode_t) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

/// Why a secret file was not used; `message` says what to do.
public struct SecretFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
