#if canImport(Glibc)
import Glibc
#endif

/// An operating-system call that failed, with the `errno` it left.
public struct IOError: Error, Sendable, CustomStringConvertible {
    /// The errno value, as the C library reported it.
    public let errno: Int32
    /// The call that failed, for logs (`"accept4"`, `"bind 127.0.0.1:8080"`).
    public let call: String

    /// Wraps an errno captured right after `call` failed.
    public init(errno: Int32, call: String) {
        self.errno = errno
        self.call = call
    }

    public var description: String {
        "\(call): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Runs one system call, retrying on EINTR.
///
/// Returns the call's non-negative result, or `nil` when the call would block (EAGAIN).
/// errno is read right after the call, inside this non-inlined helper, so nothing runs between.
@inline(never)
func systemCall(_ name: StaticString, _ body: () -> Int) throws(IOError) -> Int? {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = Glibc.errno
        switch code {
        case EINTR: continue
        case EAGAIN, EWOULDBLOCK: return nil
        default: throw IOError(errno: code, call: "\(name)")
        }
    }
}

/// The monotonic clock in milliseconds, for deadlines.
func monotonicMilliseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1000 + UInt64(spec.tv_nsec) / 1_000_000
}
