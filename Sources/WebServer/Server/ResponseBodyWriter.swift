/// Writes the pieces of a streamed response body, waiting while the client is slow to read.
public struct ResponseBodyWriter: Sendable {
    let gate: OutboundGate
    let connection: LoopBound<Connection>
    /// Whether pieces are framed as chunks (HTTP/1.1) or sent raw (HTTP/1.0, ended by closing).
    let chunked: Bool

    /// Sends `bytes` as one chunk. Throws once the connection has closed.
    public func write(_ bytes: [UInt8]) async throws(ConnectionClosedError) {
        guard !bytes.isEmpty else { return }
        var chunk: [UInt8] = []
        if chunked {
            chunk = Array(String(bytes.count, radix: 16).utf8)
            chunk += [0x0D, 0x0A]
            chunk += bytes
            chunk += [0x0D, 0x0A]
        } else {
            chunk = bytes
        }
        let (accepted, mustWait) = gate.reserve(chunk.count)
        guard accepted else { throw ConnectionClosedError() }
        let data = chunk
        connection.execute { connection in connection.enqueueStreamData(data) }
        if mustWait {
            await gate.waitForRoom()
            if gate.isClosed { throw ConnectionClosedError() }
        }
    }

    /// Sends UTF-8 text as one chunk.
    public func write(_ text: String) async throws(ConnectionClosedError) {
        try await write(Array(text.utf8))
    }
}
