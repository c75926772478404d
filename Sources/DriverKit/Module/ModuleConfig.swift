/// The `config` of a `start` or `update` message (`docs/driver-protocol.md` §3.1).
public struct ModuleConfig: Sendable, Equatable {
    public var module: String
    public var driver: String?
    public var role: Int?
    public var name: String?
    public var ip: String?
    public var port: Int?
    public var tls: Bool
    public var udp: Bool
    public var makebreak: Bool
    public var uri: String?
    public var controlSystemID: String?
    public var settings: JSON

    public init(module: String, ip: String? = nil, port: Int? = nil, tls: Bool = false, udp: Bool = false,
                makebreak: Bool = false, uri: String? = nil, controlSystemID: String? = nil, settings: JSON = [:]) {
        self.module = module
        self.ip = ip
        self.port = port
        self.tls = tls
        self.udp = udp
        self.makebreak = makebreak
        self.uri = uri
        self.controlSystemID = controlSystemID
        self.settings = settings
    }

    /// Reads a config object; `module` falls back to the message's module id.
    public init(json: JSON, module: String) {
        self.module = json["module"]?.stringValue ?? module
        driver = json["driver"]?.stringValue
        role = json["role"]?.intValue
        name = json["name"]?.stringValue
        ip = json["ip"]?.stringValue
        port = json["port"]?.intValue
        tls = json["tls"]?.boolValue ?? false
        udp = json["udp"]?.boolValue ?? false
        makebreak = json["makebreak"]?.boolValue ?? false
        uri = json["uri"]?.stringValue
        controlSystemID = json["control_system_id"]?.stringValue
        settings = json["settings"].flatMap { $0.objectValue != nil ? $0 : nil } ?? [:]
    }

    /// True when the two configs differ in a field that needs a new connection.
    public func connectionDiffers(from other: ModuleConfig) -> Bool {
        ip != other.ip || port != other.port || tls != other.tls || udp != other.udp
            || makebreak != other.makebreak || uri != other.uri
    }
}
