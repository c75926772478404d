// Internal to WebServer: see HTTPRequestParserCheck.swift for why this is conditional.
#if DEBUG || FUZZING
@testable import WebServer

/// The WebSocket frame parser and message assembler. Properties: the same events whether the
/// bytes arrive whole or one at a time; text messages are valid UTF-8 (a `String` built without
/// repair); no frame or message exceeds its limit.
public enum WebSocketParserCheck: FuzzCheck {
    public static let name = "websocket"
    static let maxFrameBytes = 1024
    static let maxMessageBytes = 2048

    public static func check(_ input: [UInt8]) throws(PropertyViolation) {
        let whole = try events(input, chunk: max(1, input.count))
        let bytewise = try events(input, chunk: 1)
        try require(whole == bytewise, "feeding byte by byte changed the events: \(whole) against \(bytewise)")
    }

    static func events(_ bytes: [UInt8], chunk: Int) throws(PropertyViolation) -> [String] {
        var parser = WebSocketFrameParser(maxFrameBytes: maxFrameBytes)
        var assembler = WebSocketAssembler(maxMessageBytes: maxMessageBytes)
        var buffer = InputBuffer()
        var out: [String] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            buffer.append(Array(bytes[offset..<end]))
            offset = end
            parsing: while true {
                switch parser.next(&buffer) {
                case .needMore:
                    break parsing
                case .error(let error):
                    out.append("fail \(error.code)")
                    return out
                case .frame(let frame):
                    try require(frame.payload.count <= maxFrameBytes, "a frame of \(frame.payload.count) bytes")
                    switch assembler.receive(frame) {
                    case .none: break
                    case .message(.text(let text)):
                        try require(text.utf8.count <= maxMessageBytes, "a text message of \(text.utf8.count) bytes")
                        try require(String(validating: Array(text.utf8), as: UTF8.self) != nil, "a text message that is not UTF-8")
                        out.append("text \(text.utf8.count)")
                    case .message(.binary(let payload)):
                        try require(payload.count <= maxMessageBytes, "a binary message of \(payload.count) bytes")
                        out.append("binary \(payload.count)")
                    case .ping(let payload): out.append("ping \(payload.count)")
                    case .pong(let payload): out.append("pong \(payload.count)")
                    case .close(let code, let reason): out.append("close \(code ?? 0) \(reason.utf8.count)")
                    case .error(let error):
                        out.append("fail \(error.code)")
                        return out
                    }
                }
            }
        }
        return out
    }
}
#endif
