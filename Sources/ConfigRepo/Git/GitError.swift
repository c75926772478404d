import CGit2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed libgit2 call: its return code, libgit2's error class and message, and what we
/// were doing.
///
/// Built from `git_error_last()` right after the failing call (the message is per thread).
public struct GitError: Error, Sendable, CustomStringConvertible {
    /// libgit2's return code (`GIT_ENOTFOUND` = -3, `GIT_ELOCKED` = -14, `GIT_EMODIFIED` = -15 …).
    public var code: Int32
    /// libgit2's error class (`GIT_ERROR_ODB`, `GIT_ERROR_REFERENCE` …) as a raw value; 0 if none.
    public var klass: Int32
    /// libgit2's message, or a message of our own when libgit2 set none.
    public var message: String
    /// The operation that failed, e.g. `git_commit_create` or `open /srv/config`.
    public var operation: String

    /// Creates an error with explicit fields (for failures detected on our side).
    public init(code: Int32, klass: Int32 = 0, message: String, operation: String) {
        self.code = code
        self.klass = klass
        self.message = message
        self.operation = operation
    }

    /// Reads `git_error_last()` now: call it immediately after the failing libgit2 call.
    static func last(_ code: Int32, _ operation: String) -> GitError {
        if let error = git_error_last(), let text = error.pointee.message {
            return GitError(code: code, klass: error.pointee.klass,
                            message: String(cString: text), operation: operation)
        }
        return GitError(code: code, message: "libgit2 error \(code)", operation: operation)
    }

    /// Throws the last libgit2 error when `code` is negative.
    @inline(__always)
    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(GitError) {
        if code < 0 { throw last(code, operation()) }
    }

    /// A failed system call of our own git code, from its `errno`.
    static func system(_ number: Int32, _ operation: String) -> GitError {
        GitError(code: -1, klass: Int32(GIT_ERROR_OS.rawValue), message: String(cString: strerror(number)), operation: operation)
    }

    /// An object, pack or index that is not what git writes.
    static func corrupt(_ message: String, operation: String = "read objects") -> GitError {
        GitError(code: -1, klass: Int32(GIT_ERROR_ODB.rawValue), message: message, operation: operation)
    }

    /// An object that is in none of the repository's packs or loose objects.
    static func missing(_ id: ObjectID) -> GitError {
        GitError(code: GIT_ENOTFOUND.rawValue, klass: Int32(GIT_ERROR_ODB.rawValue), message: "object \(id.hex) not found",
                 operation: "read object")
    }

    /// True for `GIT_ENOTFOUND`.
    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }
    /// True for `GIT_EAMBIGUOUS` (a short id that names several objects).
    var isAmbiguous: Bool { code == GIT_EAMBIGUOUS.rawValue }
    /// True for `GIT_EINVALIDSPEC` (a revision that cannot be parsed).
    var isInvalidSpec: Bool { code == GIT_EINVALIDSPEC.rawValue }

    public var description: String { "\(operation): \(message) (code \(code), class \(klass))" }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for a body that throws `GitError` (the standard one rethrows `any Error`).
    func withGitBytes<T>(_ body: (UnsafeRawBufferPointer) throws(GitError) -> T) throws(GitError) -> T {
        let result: Result<T, GitError> = withUnsafeBytes { raw in Result { () throws(GitError) in try body(raw) } }
        return try result.get()
    }
}
