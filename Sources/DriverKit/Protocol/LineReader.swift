import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads newline-ended lines from a file descriptor on its own thread and posts them,
/// then `nil` at end of file.
final class LineReader: Sendable {
    /// Lines longer than this are dropped and reported (`docs/driver-protocol.md` §1).
    static let maximumLineLength = 16 << 20

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
        var pending: [UInt8] = []
        var discarding = false
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            var start = 0
            for i in 0..<count where buffer[i] == 0x0A {
                if discarding {
                    discarding = false
                } else {
                    pending.append(contentsOf: buffer[start..<i])
                    inbox.post(.line(pending))
                }
                pending = []
                start = i + 1
            }
            if !discarding { pending.append(contentsOf: buffer[start..<count]) }
            if pending.count > Self.maximumLineLength {
                pending = []
                discarding = true
                inbox.post(.tooLong)
            }
        }
        if !pending.isEmpty, !discarding { inbox.post(.line(pending)) }
        inbox.post(.endOfFile)
    }
}
