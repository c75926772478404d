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
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    return  // the core is gone; stdin end of file will end the process
                }
                offset += written
            }
        }
    }
}
