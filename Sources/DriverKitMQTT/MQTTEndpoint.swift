import DriverKit

/// Where a module's broker is, from its `uri`: `mqtt://host:port` (1883 by default) or
/// `mqtts://host:port` (TLS, 8883 by default).
public struct MQTTEndpoint: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var tls: Bool

    public init(host: String, port: Int, tls: Bool) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    public init(uri: String) throws(DriverError) {
        let tls: Bool
        let rest: Substring
        if uri.hasPrefix("mqtt://") {
            tls = false
            rest = uri.dropFirst("mqtt://".count)
        } else if uri.hasPrefix("mqtts://") {
            tls = true
            rest = uri.dropFirst("mqtts://".count)
        } else {
            throw .failed("uri \"\(uri)\" must start with mqtt:// or mqtts://")
        }
        let authority = rest.prefix { $0 != "/" }
        let host: Substring
        var port = tls ? 8883 : 1883
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            host = authority[..<colon]
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                throw .failed("uri \"\(uri)\": the port must be a number from 1 to 65535")
            }
            port = number
        } else {
            host = authority
        }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? host.dropFirst().dropLast() : host
        guard !bare.isEmpty else { throw .failed("uri \"\(uri)\" names no host") }
        self.init(host: String(bare), port: port, tls: tls)
    }
}
