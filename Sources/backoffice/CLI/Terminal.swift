#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Output for people: results to stdout, problems to stderr.
enum Terminal {
    /// Writes one line to standard output.
    static func print(_ line: String) {
        Swift.print(line)
    }

    /// Writes one line to standard error.
    static func error(_ line: String) {
        var text = line
        text.append("\n")
        text.utf8CString.withUnsafeBufferPointer { buffer in
            _ = write(2, buffer.baseAddress, buffer.count - 1)
        }
    }
}
