import DriverProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Reads newline-ended lines from a file descriptor (`LineFramer`, the protocol's framing) on the
/// actor's own thread (`DriverLoop`): one `read` each time the descriptor is readable, and the
/// lines read are delivered at once, then `.endOfFile`.
@DriverActor
final class LineReader {
    private let fd: Int32
    private let deliver: @DriverActor ([LineEvent]) -> Void
    private var framer = LineFramer()
    private var buffer = [UInt8](repeating: 0, count: 64 << 10)

    enum LineEvent: Sendable { case line([UInt8]), tooLong, endOfFile }

    init(fd: Int32, deliver: @escaping @DriverActor ([LineEvent]) -> Void) {
        self.fd = fd
        self.deliver = deliver
    }

    /// Starts watching; the loop keeps the reader alive until end of file.
    func start() {
        if DriverLoop.shared.watchReadable(fd, { [self] in readAvailable() }) { return }
        // A regular file (epoll refuses those): it never blocks, so read it through, a turn at a time.
        Task { [self] in
            while !finished {
                readAvailable()
                await Task.yield()
            }
        }
    }

    private var finished = false

    /// One `read`: readiness says it will not block (a pipe or socket; level-triggered, so what
    /// is left is read on the next turn).
    private func readAvailable() {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR || errno == EAGAIN { return }
        guard count > 0 else {
            if finished { return }
            finished = true
            DriverLoop.shared.unwatch(fd)
            var events: [LineEvent] = []
            if let last = framer.finish() { events.append(.line(last)) }
            events.append(.endOfFile)
            return deliver(events)
        }
        let pieces = buffer.withUnsafeBufferPointer { framer.feed(UnsafeBufferPointer(rebasing: $0[0..<count])) }
        if pieces.isEmpty { return }
        deliver(pieces.map { piece in
            switch piece {
            case .line(let line): .line(line)
            case .tooLong: .tooLong
            }
        })
    }
}
