import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One accepted client, served by blocking reads and writes on its own thread.
public final class ClientConnection: @unchecked Sendable {
    public let fd: Int32
    let faults: Faults
    private var buffer: [UInt8] = []

    init(fd: Int32, faults: Faults) {
        self.fd = fd
        self.faults = faults
    }

    /// Reads what is available (blocking); nil at end of file or error.
    public func readSome() -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return nil }
            return Array(chunk[0..<count])
        }
    }

    /// The next line ended by any of `\r`, `\n` or `\r\n` (without it); nil at end of file.
    public func readLine() -> String? {
        while true {
            if let end = buffer.firstIndex(where: { $0 == 0x0D || $0 == 0x0A }) {
                let line = String(decoding: buffer[..<end], as: UTF8.self)
                var next = end + 1
                if buffer[end] == 0x0D, next < buffer.count, buffer[next] == 0x0A { next += 1 }
                buffer.removeFirst(next)
                if line.isEmpty, buffer.first == 0x0A { continue }
                return line
            }
            guard let more = readSome() else { return nil }
            buffer.append(contentsOf: more)
            if buffer.count > 1 << 20 { return nil }
        }
    }

    /// Exactly `count` bytes; nil at end of file.
    public func read(exactly count: Int) -> [UInt8]? {
        while buffer.count < count {
            guard let more = readSome() else { return nil }
            buffer.append(contentsOf: more)
        }
        let out = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return out
    }

    /// Writes a reply, after the injected delay; a silent device writes nothing.
    public func reply(_ bytes: [UInt8]) {
        let faults = self.faults.current
        if faults.silent { return }
        if faults.delayMilliseconds > 0 { usleep(UInt32(faults.delayMilliseconds) * 1000) }
        write(bytes)
    }

    public func reply(_ text: String) { reply(Array(text.utf8)) }

    /// Writes at once (greetings, prompts).
    public func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }

    public func write(_ text: String) { write(Array(text.utf8)) }
}
