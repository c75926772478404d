import BenchSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking MQTT 3.1.1 client over loopback TCP, for the fan-out peer: connects with a
/// clean session, subscribes at QoS 0, publishes at QoS 0, and reads the decimal payloads of the
/// PUBLISH packets it receives. Just enough protocol to put mosquitto beside our fan-out.
final class MQTTPeerClient: FanOutSubscriber, @unchecked Sendable {
    let fd: Int32
    private let connection: LoopbackSocket
    private var buffer: [UInt8] = []

    init(port: Int, clientID: String) throws {
        guard let connection = LoopbackSocket(port: port) else { throw BenchError("cannot connect to mosquitto on 127.0.0.1:\(port)") }
        self.connection = connection
        fd = connection.fd
        // CONNECT: protocol "MQTT" level 4, clean session, keep-alive 600 s.
        var body: [UInt8] = Self.string("MQTT") + [4, 0x02, 0x02, 0x58]
        body += Self.string(clientID)
        writeAll(Self.packet(0x10, body))
        guard let ack = readPacket(), ack.type == 0x20, ack.body.count == 2, ack.body[1] == 0 else {
            throw BenchError("mosquitto refused the connection")
        }
    }

    deinit { close(fd) }

    func subscribe(_ filter: String) throws {
        writeAll(Self.packet(0x82, [0, 1] + Self.string(filter) + [0]))
        guard let ack = readPacket(), ack.type == 0x90, ack.body.last == 0 else { throw BenchError("mosquitto refused the subscription") }
    }

    func publish(topic: String, payload: String) {
        writeAll(Self.packet(0x30, Self.string(topic) + Array(payload.utf8)))
    }

    /// The decimal payloads of every whole PUBLISH that has arrived (non-blocking).
    func drainNumbers() -> [UInt64] {
        var numbers: [UInt64] = []
        FanOutScratch.fill(fd, into: &buffer)
        var offset = 0
        while let (type, start, end) = Self.frame(buffer, at: offset) {
            if type == 0x30, end - start >= 2 {
                let topicLength = Int(buffer[start]) << 8 | Int(buffer[start + 1])
                if let number = FanOutScratch.stamp(in: buffer, at: start + 2 + topicLength, end: end) { numbers.append(number) }
            }
            offset = end
        }
        buffer.removeFirst(offset)
        return numbers
    }

    /// One whole packet at `offset`: its type (high nibble of the first byte) and body range.
    private static func frame(_ bytes: [UInt8], at offset: Int) -> (UInt8, Int, Int)? {
        var position = offset + 1
        var length = 0
        var shift = 0
        while true {
            guard position < bytes.count, shift <= 21 else { return nil }
            let byte = bytes[position]
            length |= Int(byte & 0x7F) << shift
            position += 1
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        guard bytes.count - position >= length else { return nil }
        return (bytes[offset] & 0xF0, position, position + length)
    }

    private func readPacket() -> (type: UInt8, body: [UInt8])? {
        while true {
            if let (type, start, end) = Self.frame(buffer, at: 0) {
                let body = Array(buffer[start..<end])
                buffer.removeFirst(end)
                return (type, body)
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            buffer += chunk[0..<count]
        }
    }

    private static func string(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        return [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
    }

    private static func packet(_ header: UInt8, _ body: [UInt8]) -> [UInt8] {
        var packet = [header]
        var length = body.count
        repeat {
            var byte = UInt8(length & 0x7F)
            length >>= 7
            if length > 0 { byte |= 0x80 }
            packet.append(byte)
        } while length > 0
        return packet + body
    }

    private func writeAll(_ bytes: [UInt8]) { connection.sendAll(bytes) }
}
