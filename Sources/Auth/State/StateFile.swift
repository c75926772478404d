#if canImport(Glibc)
import Glibc
#endif
import ConfigRepo
import Crypto
import WebServer

/// One JSON file of authentication state in `<state>/auth/` (never the config repository):
/// written atomically (temporary file, fsync, rename) with mode 0600 in a 0700 directory.
///
/// The server and the command line both write some of these files (`backoffice user add`
/// while the server runs), so a change is a read-modify-write under an exclusive `flock` on
/// `<name>.lock` (`update`), and a reader notices another process's write by the file's
/// `Version` (each write is a new inode). docs/auth.md, "State files".
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

    /// The file's bytes, or nil when it does not exist. Read by the rule of every secret file
    /// (`SecretFile`): a file group or others could read is refused, not used.
    public func readBytes() throws -> [UInt8]? {
        try SecretFile.read(path)
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

    /// Appends one line (the access log); creates the file with mode 0600. Returns the file's
    /// size after the append (nil when it could not be written).
    @discardableResult
    public func append(line: String) -> Int? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        let bytes = Array((line + "\n").utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(descriptor, $0.baseAddress, bytes.count) }) == bytes.count else { return nil }
        var info = stat()
        return fstat(descriptor, &info) == 0 ? Int(info.st_size) : nil
    }

    /// Which write of the file is on disk: its inode, size and modification time (nil when
    /// the file does not exist). Every `write` renames a new inode into place.
    public struct Version: Sendable, Equatable {
        var inode: UInt
        var size: Int
        var modified: Int
    }

    public func version() -> Version? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Version(inode: UInt(info.st_ino), size: Int(info.st_size),
                       modified: Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec))
    }

    /// Runs `body` holding the exclusive lock of this file (`flock` on `<path>.lock`), which
    /// every process that changes the file takes; blocks while another holds it.
    public func withLock<Result>(_ body: () throws -> Result) throws -> Result {
        let descriptor = open(path + ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if descriptor < 0 { throw StateFileError(path: path + ".lock", errno: errno) }
        defer { close(descriptor) }  // closing releases the lock
        while flock(descriptor, LOCK_EX) != 0 {
            if errno != EINTR { throw StateFileError(path: path + ".lock", errno: errno) }
        }
        return try body()
    }
}

public struct StateFileError: Error, CustomStringConvertible {
    public var path: String
    public var errno: Int32
    public var description: String { "\(path): \(String(cString: strerror(errno)))" }
}
