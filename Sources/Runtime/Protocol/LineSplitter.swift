/// Splits a byte stream into `\n`-terminated lines (driver protocol §1). A line longer than
/// `maximumLength` is dropped whole and reported once as `.tooLong`.
struct LineSplitter {
    enum Piece: Equatable {
        case line([UInt8])
        case tooLong(Int)
    }

    let maximumLength: Int
    private var partial: [UInt8] = []
    private var discarding = false
    private var discarded = 0

    init(maximumLength: Int = 16 * 1024 * 1024) {
        self.maximumLength = maximumLength
    }

    /// Feeds bytes; returns the lines they complete.
    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) -> [Piece] {
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
