import CGit2

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

    /// True for `GIT_ENOTFOUND`.
    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }

    public var description: String { "\(operation): \(message) (code \(code), class \(klass))" }
}
