import DriverProtocol
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads newline-ended lines from a file descriptor on its own thread (`LineFramer`, the
/// protocol's framing) and posts them, then `nil` at end of file.
final class LineReader: Sendable {
    private let fd: Int32
    private let inbox: EventInbox<LineEvent>

    enum LineEvent: Sendable { case line([UInt8]), tooLong, endOfFile }

    init(fd: Int32, deliver: @escaping @DriverActor @Sendable ([LineEvent]) -> Void) {
        self.fd = fd
        self.inbox = EventInbox(deliver)
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.stackSize = 256 << 10
        thread.start()
    }

    private func run() {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var framer = LineFramer()
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            let pieces = buffer.withUnsafeBufferPointer { framer.feed(UnsafeBufferPointer(rebasing: $0[0..<count])) }
            for piece in pieces {
                switch piece {
                case .line(let line): inbox.post(.line(line))
                case .tooLong: inbox.post(.tooLong)
                }
            }
        }
        if let last = framer.finish() { inbox.post(.line(last)) }
        inbox.post(.endOfFile)
    }
}
