import BenchSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking WebSocket client for the benchmark: text frames only, masked as RFC 6455
/// requires of clients, unfragmented messages.
final class WebSocketClient: FanOutSubscriber {
    let fd: Int32
    private let connection: LoopbackSocket
    private var buffer: [UInt8] = []

    init(port: Int, path: String) throws {
        guard let connection = LoopbackSocket(port: port) else { throw BenchError("cannot connect to 127.0.0.1:\(port)") }
        self.connection = connection
        fd = connection.fd
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        writeAll(Array(request.utf8))
        while true {
            if let end = find([13, 10, 13, 10]) {
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeFirst(end + 4)
                guard head.hasPrefix("HTTP/1.1 101") else { throw BenchError("handshake refused: \(head.prefix(40))") }
                return
            }
            guard fill() else { throw BenchError("connection closed during the handshake") }
        }
    }

    deinit { close(fd) }


    func send(_ text: String) {
        let payload = Array(text.utf8)
        var frame: [UInt8] = [0x81]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else {
            frame.append(0x80 | 126)
            frame.append(UInt8(payload.count >> 8))
            frame.append(UInt8(payload.count & 0xFF))
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        frame += mask
        for (index, byte) in payload.enumerated() { frame.append(byte ^ mask[index & 3]) }
        writeAll(frame)
    }

    /// The next text message (blocking), or nil when the connection closed.
    func receive() -> String? {
        while true {
            if let message = takeMessage() { return message }
            guard fill() else { return nil }
        }
    }

    /// Reads what is available without blocking (for an fd polled as readable); returns whole messages.
    func drain() -> [String] {
        var messages: [String] = []
        _ = fill(nonBlocking: true)
        while let message = takeMessage() { messages.append(message) }
        return messages
    }

    /// Like `drain`, for fan-out: the integer after `"value":` of each whole message, read from
    /// the bytes without building strings (so the client, not the server, is not the bottleneck).
    func drainNumbers() -> [UInt64] {
        var numbers: [UInt64] = []
        FanOutScratch.fill(fd, into: &buffer)
        let key = Array("\"value\":".utf8)
        var offset = 0
        while buffer.count - offset >= 2 {
            var length = Int(buffer[offset + 1] & 0x7F)
            var header = 2
            if length == 126 {
                guard buffer.count - offset >= 4 else { break }
                length = Int(buffer[offset + 2]) << 8 | Int(buffer[offset + 3])
                header = 4
            }
            guard buffer.count - offset >= header + length else { break }
            let end = offset + header + length
            var position = offset + header
            while position + key.count <= end {
                if buffer[position] == key[0], (1..<key.count).allSatisfy({ buffer[position + $0] == key[$0] }) { break }
                position += 1
            }
            position += key.count
            if let number = FanOutScratch.stamp(in: buffer, at: position, end: end) { numbers.append(number) }
            offset = end
        }
        buffer.removeFirst(offset)
        return numbers
    }

    private func takeMessage() -> String? {
        guard buffer.count >= 2 else { return nil }
        var length = Int(buffer[1] & 0x7F)
        var header = 2
        if length == 126 {
            guard buffer.count >= 4 else { return nil }
            length = Int(buffer[2]) << 8 | Int(buffer[3])
            header = 4
        } else if length == 127 {
            guard buffer.count >= 10 else { return nil }
            length = buffer[2..<10].reduce(0) { $0 << 8 | Int($1) }
            header = 10
        }
        guard buffer.count >= header + length else { return nil }
        let text = String(decoding: buffer[header..<header + length], as: UTF8.self)
        buffer.removeFirst(header + length)
        return text
    }

    /// Reads what is there into `buffer`, through one scratch buffer per client (a fresh zeroed
    /// 64 KiB array per read was a tenth of the exec phase's CPU in this process).
    private func fill(nonBlocking: Bool = false) -> Bool {
        let count = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, nonBlocking ? Int32(MSG_DONTWAIT) : 0) }
        guard count > 0 else { return false }
        buffer += scratch[0..<count]
        return true
    }

    private var scratch = [UInt8](repeating: 0, count: 16 << 10)

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for index in 0...(buffer.count - pattern.count) where Array(buffer[index..<index + pattern.count]) == pattern { return index }
        return nil
    }

    private func writeAll(_ bytes: [UInt8]) { connection.sendAll(bytes) }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func nanosecondsNow() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

func percentile(_ sorted: [UInt64], _ p: Double) -> Double {
    sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6
}

/// VmRSS of a process, in KiB.
func residentKiB(_ pid: Int32) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
    return 0
}

/// CPU time (user + system) a process has used so far, in seconds (`/proc/PID/stat`).
func cpuSeconds(_ pid: Int32) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return 0 }
    // After "pid (comm)": field 3 is the state; utime and stime are fields 14 and 15.
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// Context switches (voluntary and not) of all threads of a process so far (`/proc/PID/task/*/status`):
/// each time a thread went to sleep waiting for another, or was preempted.
func contextSwitches(_ pid: Int32) -> Int {
    let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    var total = 0
    for thread in threads {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/status", encoding: .utf8) else { continue }
        for line in text.split(separator: "\n") where line.hasPrefix("voluntary_ctxt_switches:") || line.hasPrefix("nonvoluntary_ctxt_switches:") {
            total += Int(line.split(separator: "\t").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
        }
    }
    return total
}

/// The processes whose parent is `pid` (`/proc/*/stat`).
func childProcesses(of pid: Int32) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { child in
        guard let text = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return false }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 1 && Int32(fields[1]) == pid
    }
}
