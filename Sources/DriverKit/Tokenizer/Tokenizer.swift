/// Cuts a byte stream into the device's messages. Fed whatever the transport read; returns
/// the complete frames so far and keeps the rest for the next call.
public protocol Tokenizer: Sendable {
    mutating func push(_ bytes: [UInt8]) -> [[UInt8]]
    /// Forgets a partial frame (on reconnect).
    mutating func reset()
}

/// Bytes a tokenizer holds at most before it drops them (a device that never sends a delimiter).
let tokenizerBufferLimit = 1 << 20
