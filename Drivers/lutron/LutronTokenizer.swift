import DriverKit

/// Lutron integration frames: lines ended by `\r\n`, plus the prompts that end without one
/// (`login: `, `password: `, `GNET> `), which come out as their own frames (`login:`,
/// `password:`, `GNET>`).
struct LutronTokenizer: Tokenizer {
    private var buffer: [UInt8] = []
    private static let prompts = ["login: ", "password: ", "GNET> "].map { Array($0.utf8) }

    mutating func push(_ bytes: [UInt8]) -> [[UInt8]] {
        buffer.append(contentsOf: bytes)
        var frames: [[UInt8]] = []
        var progress = true
        while progress {
            progress = false
            for prompt in Self.prompts where buffer.starts(with: prompt) {
                frames.append(Array(prompt.dropLast()))
                buffer.removeFirst(prompt.count)
                progress = true
            }
            if let end = buffer.firstIndex(of: 0x0A) {
                var line = Array(buffer[..<end])
                if line.last == 0x0D { line.removeLast() }
                buffer.removeFirst(end + 1)
                if !line.isEmpty { frames.append(line) }
                progress = true
            }
        }
        if buffer.count > 1 << 16 { buffer.removeAll() }
        return frames
    }

    mutating func reset() { buffer.removeAll() }
}
