/// JSON Lines framing (driver protocol §1): splits a byte stream into `\n`-terminated lines,
/// without a trailing `\r` and skipping empty ones. A line longer than `maximumLength` is
/// dropped whole and reported once as `.tooLong`. Both sides read with it.
public struct LineFramer: Sendable {
    public enum Piece: Equatable, Sendable {
        case line([UInt8])
        /// A line of this many bytes was dropped.
        case tooLong(Int)
    }

    public let maximumLength: Int
    private var partial: [UInt8] = []
    private var discarding = false
    private var discarded = 0

    public init(maximumLength: Int = DriverProtocol.maximumLineLength) {
        self.maximumLength = maximumLength
    }

    /// Feeds bytes; returns the lines they complete.
    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) -> [Piece] {
        var pieces: [Piece] = []
        var start = 0
        for index in 0..<bytes.count where bytes[index] == UInt8(ascii: "\n") {
            append(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            if discarding {
                pieces.append(.tooLong(discarded))
            } else {
                var line = partial
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                if !line.isEmpty { pieces.append(.line(line)) }
            }
            partial.removeAll(keepingCapacity: partial.count < 65536)
            discarding = false
            discarded = 0
            start = index + 1
        }
        append(UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
        return pieces
    }

    /// At end of file: the last line if it had no newline (nil when there is none, or it was too long).
    public mutating func finish() -> [UInt8]? {
        defer {
            partial = []
            discarding = false
            discarded = 0
        }
        var line = partial
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return discarding || line.isEmpty ? nil : line
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        if discarding {
            discarded += bytes.count
            return
        }
        if partial.count + bytes.count > maximumLength {
            discarding = true
            discarded = partial.count + bytes.count
            partial = []
            return
        }
        partial.append(contentsOf: bytes)
    }
}
