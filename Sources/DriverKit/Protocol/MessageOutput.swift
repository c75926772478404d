#if canImport(Glibc)
import Glibc
#endif

/// Where a driver's protocol messages go: one JSON object per line.
@DriverActor
public protocol MessageOutput: AnyObject {
    func send(_ message: JSON)
}

/// Writes each message as a line to a file descriptor (stdout in a driver process).
@DriverActor
public final class FileDescriptorOutput: MessageOutput {
    private let fd: Int32

    public init(fd: Int32) { self.fd = fd }

    public func send(_ message: JSON) {
        var line = message.serialized
        line += "\n"
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return  // the core is gone; stdin end of file will end the process
            }
            offset += written
        }
        bytes.removeAll()
    }
}
