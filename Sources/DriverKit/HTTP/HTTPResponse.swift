/// A complete HTTP response.
public struct HTTPResponse: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as JSON; a non-2xx status or a body that is not JSON is an error.
    public func json() throws(DriverError) -> JSON {
        guard (200..<300).contains(status) else { throw .failed("HTTP \(status): \(text.prefix(200))") }
        do { return try JSONParser.parse(body) } catch { throw .failed("response is not JSON: \(error)") }
    }
}
