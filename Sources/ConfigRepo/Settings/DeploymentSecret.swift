#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto

/// The deployment's root secret: 32 random bytes in `<state directory>/secret`, created on
/// first use and never stored in the configuration repository (DESIGN §4).
///
/// Every settings encryption key is derived from it (see ``SecretBox``). Losing the file
/// makes every encrypted value in the repository unreadable, so back it up with the
/// state directory. There is no default secret, and the bytes are never printed: the
/// `description`, `debugDescription` and mirror of this value hide them.
public struct DeploymentSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Size of the secret, in bytes.
    public static let byteCount = 32
    /// File name of the secret inside the state directory.
    public static let fileName = "secret"

    let bytes: [UInt8]

    /// Wraps raw bytes; internal so that tests can make throwaway secrets.
    init(bytes: [UInt8]) {
        precondition(bytes.count == Self.byteCount, "a deployment secret is \(Self.byteCount) bytes")
        self.bytes = bytes
    }

    /// A random secret that is never saved: for a preview that must not open anything (a
    /// `backoffice diff` run without the deployment's state directory).
    public static func ephemeral() -> DeploymentSecret {
        DeploymentSecret(bytes: SecureRandom.bytes(byteCount))
    }

    public var description: String { "DeploymentSecret(hidden)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    /// The path of the secret file for a state directory.
    public static func path(stateDirectory: String) -> String {
        stateDirectory.hasSuffix("/") ? stateDirectory + fileName : stateDirectory + "/" + fileName
    }

    /// Reads the secret, or returns nil when the file does not exist.
    ///
    /// Throws when the file exists but cannot be trusted: not a regular file (symbolic links
    /// are refused), readable or writable by group or others, or not exactly 32 bytes.
    public static func load(stateDirectory: String) throws(DeploymentSecretError) -> DeploymentSecret? {
        let path = path(stateDirectory: stateDirectory)
        let bytes: [UInt8]
        do {
            // The rule of every secret file (SecretFile); a secret is never more than a few bytes.
            guard let read = try SecretFile.read(path, maximumBytes: 4096) else { return nil }
            bytes = read
        } catch {
            throw DeploymentSecretError(path: path, message: error.message)
        }
        guard bytes.count == byteCount else {
            throw DeploymentSecretError(path: path, message: """
                it is \(bytes.count) bytes, expected \(byteCount): this is not a BackOffice deployment \
                secret, or it was damaged; restore it from a backup of the state directory
                """)
        }
        return DeploymentSecret(bytes: bytes)
    }

    /// Reads the secret, creating it first when it does not exist.
    ///
    /// Creation: the state directory (and missing parents) is made with mode 0700; 32 bytes
    /// from OpenSSL's CSPRNG (`SecureRandom`) are written to a temporary file of mode 0600, fsynced,
    /// then linked into place without replacing anything (so two processes starting at
    /// once agree on one secret), and the directory is fsynced.
    public static func loadOrCreate(stateDirectory: String) throws(DeploymentSecretError) -> DeploymentSecret {
        if let existing = try load(stateDirectory: stateDirectory) { return existing }
        try makeDirectory(stateDirectory)
        let path = path(stateDirectory: stateDirectory)
        let bytes = SecureRandom.bytes(byteCount)
        let temporary = path + ".tmp-\(getpid())-" + SecureRandom.hex(6)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw DeploymentSecretError(path: path, message: "cannot create \(temporary): \(describe(errno))")
        }
        var written = 0
        var failure: String?
        if fchmod(descriptor, 0o600) != 0 { failure = "cannot set its mode to 0600: \(describe(errno))" }
        while failure == nil && written < byteCount {
            let count = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + written, byteCount - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                failure = "cannot write it: \(describe(errno))"
            } else {
                written += count
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = "cannot flush it to disk: \(describe(errno))" }
        close(descriptor)
        if let failure {
            unlink(temporary)
            throw DeploymentSecretError(path: path, message: failure)
        }
        if link(temporary, path) != 0 {
            let code = errno
            if code == EEXIST {
                // Another process created it first: use theirs.
                unlink(temporary)
                if let theirs = try load(stateDirectory: stateDirectory) { return theirs }
                throw DeploymentSecretError(path: path, message: "it appeared and disappeared while being created")
            }
            if code == EPERM || code == EOPNOTSUPP {
                // File systems without hard links: a plain rename (we checked it is absent).
                guard rename(temporary, path) == 0 else {
                    let renameCode = errno
                    unlink(temporary)
                    throw DeploymentSecretError(path: path, message: "cannot move it into place: \(describe(renameCode))")
                }
            } else {
                unlink(temporary)
                throw DeploymentSecretError(path: path, message: "cannot move it into place: \(describe(code))")
            }
        } else {
            unlink(temporary)
        }
        let directory = open(stateDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
        return DeploymentSecret(bytes: bytes)
    }

    /// `mkdir -p` with mode 0700 for every directory it creates.
    private static func makeDirectory(_ path: String) throws(DeploymentSecretError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += component
            if mkdir(prefix, 0o700) != 0 {
                let code = errno
                var info = stat()
                guard code == EEXIST, stat(prefix, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
                    throw DeploymentSecretError(path: prefix, message: "cannot create the state directory: \(describe(code))")
                }
            }
            prefix += "/"
        }
    }

    private static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// Why the deployment secret could not be read or created; `path` is the file (or
/// directory) concerned.
public struct DeploymentSecretError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "deployment secret \(path): \(message)" }
}
