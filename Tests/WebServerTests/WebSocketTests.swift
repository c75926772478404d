import Crypto
import Synchronization
import TestSupport
import Testing
@testable import WebServer

/// Runs bytes through the frame parser and assembler, one byte at a time, and lists the events.
func webSocketEvents(_ bytes: [UInt8], maxFrame: Int = 1 << 20, maxMessage: Int = 1 << 24) -> [String] {
    var parser = WebSocketFrameParser(maxFrameBytes: maxFrame)
    var assembler = WebSocketAssembler(maxMessageBytes: maxMessage)
    var input = InputBuffer()
    var events: [String] = []
    for byte in bytes {
        input.append([byte])
        while true {
            switch parser.next(&input) {
            case .needMore: break
            case .error(let error):
                events.append("fail \(error.code)")
                return events
            case .frame(let frame):
                switch assembler.receive(frame) {
                case .none: continue
                case .message(.text(let text)): events.append("text \(text)")
                case .message(.binary(let bytes)): events.append("binary \(bytes.count)")
                case .ping(let payload): events.append("ping \(payload.count)")
                case .pong: events.append("pong")
                case .close(let code, let reason): events.append("close \(code.map(String.init) ?? "-") \(reason)")
                case .error(let error):
                    events.append("fail \(error.code)")
                    return events
                }
                continue
            }
            break
        }
    }
    return events
}

@Test func textMessageByteByByte() {
    #expect(webSocketEvents(clientFrame(1, Array("héllo".utf8))) == ["text héllo"])
}

@Test func fragmentsWithInterleavedPing() {
    let bytes = clientFrame(1, Array("hé".utf8.prefix(2)), fin: false) + clientFrame(9, [1, 2]) + clientFrame(0, Array("hé".utf8.dropFirst(2)) + Array("llo".utf8))
    #expect(webSocketEvents(bytes) == ["ping 2", "text héllo"])
}

@Test func largeLengthsParse() {
    #expect(webSocketEvents(clientFrame(2, [UInt8](repeating: 7, count: 300))) == ["binary 300"])
    #expect(webSocketEvents(clientFrame(2, [UInt8](repeating: 7, count: 70_000))) == ["binary 70000"])
}

@Test(arguments: [
    ("unmasked", [0x81, 0x02, 0x68, 0x69], 1002),
    ("rsv1", clientFrame(1, [0x68], rsv: 4), 1002),
    ("rsv3", clientFrame(1, [0x68], rsv: 1), 1002),
    ("opcode 3", clientFrame(3, []), 1002),
    ("opcode 11", clientFrame(11, []), 1002),
    ("fragmented ping", clientFrame(9, [], fin: false), 1002),
    ("long ping", clientFrame(9, [UInt8](repeating: 0, count: 126)), 1002),
    ("lonely continuation", clientFrame(0, [1]), 1002),
    ("text inside text", clientFrame(1, [0x61], fin: false) + clientFrame(1, [0x61]), 1002),
    ("bad utf8", clientFrame(1, [0xC0, 0x80]), 1007),
    ("surrogate", clientFrame(1, [0xED, 0xA0, 0x80]), 1007),
    ("split bad utf8", clientFrame(1, [0xF0, 0x90], fin: false) + clientFrame(0, [0x28]), 1007),
    ("truncated utf8", clientFrame(1, [0xE2, 0x82]), 1007),
    ("one-byte close", clientFrame(8, [3]), 1002),
    ("close 1004", clientFrame(8, [0x03, 0xEC]), 1002),
    ("close 1015", clientFrame(8, [0x03, 0xF7]), 1002),
    ("close 5000", clientFrame(8, [0x13, 0x88]), 1002),
    ("close bad reason", clientFrame(8, [0x03, 0xE8, 0xFF]), 1007),
    ("top bit length", [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0], 1002),
    ("non-minimal 16-bit", [0x82, 0xFE, 0x00, 0x05], 1002),
] as [(String, [UInt8], UInt16)])
func violations(name: String, bytes: [UInt8], code: UInt16) {
    #expect(webSocketEvents(bytes).last == "fail \(code)", "\(name)")
}

@Test func sizeLimits() {
    #expect(webSocketEvents(clientFrame(2, [UInt8](repeating: 0, count: 200)), maxFrame: 100).last == "fail 1009")
    let twoFrames = clientFrame(2, [UInt8](repeating: 0, count: 80), fin: false) + clientFrame(0, [UInt8](repeating: 0, count: 80))
    #expect(webSocketEvents(twoFrames, maxFrame: 100, maxMessage: 150).last == "fail 1009")
}

@Test func closeFrames() {
    #expect(webSocketEvents(clientFrame(8, [])) == ["close - "])
    #expect(webSocketEvents(clientFrame(8, [0x03, 0xE8] + Array("bye".utf8))) == ["close 1000 bye"])
    #expect(webSocketEvents(clientFrame(8, [0x0F, 0xA0])) == ["close 4000 "])
}

@Test func utf8ValidatorAcceptsAllValidScalars() {
    var text = ""
    for value in stride(from: 0, through: 0x10FFFF, by: 97) {
        if let scalar = Unicode.Scalar(value) { text.unicodeScalars.append(scalar) }
    }
    var validator = UTF8Validator()
    for byte in Array(text.utf8) { #expect(validator.feed([byte]) || false) }
    #expect(validator.isComplete)
}

@Test func serverFramesAreUnmaskedWithMinimalLengths() {
    #expect(WebSocketFrame(fin: true, opcode: .text, payload: Array("hi".utf8)).encoded() == [0x81, 0x02, 0x68, 0x69])
    #expect(Array(WebSocketFrame(fin: true, opcode: .binary, payload: [UInt8](repeating: 0, count: 126)).encoded().prefix(4)) == [0x82, 126, 0, 126])
    #expect(Array(WebSocketFrame(fin: true, opcode: .binary, payload: [UInt8](repeating: 0, count: 65536)).encoded().prefix(10)) == [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0])
}

@Test func handshakeAcceptMatchesTheRFC() throws {
    #expect(WebSocketHandshake.acceptValue(for: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    let headers: HTTPHeaders = ["upgrade": "websocket", "connection": "Upgrade", "sec-websocket-version": "13",
                                "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ=="]
    #expect(try WebSocketHandshake.validate(method: .get, version: .http1_1, headers: headers) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    #expect(throws: HTTPError.self) { try WebSocketHandshake.validate(method: .post, version: .http1_1, headers: headers) }
}

@Test func inboxPausesTheReaderAndResumesItWhenDrained() async {
    let inbox = WebSocketInbox(highWater: 4)
    let drained = DrainCounter()
    var pauses: [Bool] = []
    for index in 0..<4 {
        pauses.append(inbox.push(.text("\(index)"), onDrain: { drained.increment() }))
    }
    #expect(pauses == [false, false, false, true])
    #expect(await inbox.next() == .text("0"))
    #expect(drained.value == 0)
    #expect(await inbox.next() == .text("1"))
    #expect(drained.value == 1)   // down to half the high-water mark
    inbox.finish()
    #expect(await inbox.next() == .text("2"))
    #expect(await inbox.next() == .text("3"))
    #expect(await inbox.next() == nil)
}

@Test func outboundGateWaitsAboveHighWaterAndWakesBelowLowWater() async {
    let gate = OutboundGate(highWater: 100, lowWater: 10)
    #expect(gate.reserve(50) == (true, false))
    #expect(gate.reserve(60) == (true, true))
    let woke = DrainCounter()
    let waiter = Task {
        await gate.waitForRoom()
        woke.increment()
    }
    gate.didWrite(50)   // 60 left: still above the low-water mark
    gate.didWrite(55)   // 5 left
    await waiter.value
    #expect(woke.value == 1)
    gate.close()
    #expect(gate.reserve(1) == (false, false))
}

final class DrainCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
