/// Typed read access to the members the product itself relies on, per kind.
///
/// Views never copy members out; an absent member reads as its PlaceOS default.
public struct ZoneView: Sendable {
    public let document: ConfigDocument
    public init(_ document: ConfigDocument) { self.document = document }

    public var id: String { document.id }
    public var name: String { document.displayName }
    public var parentID: String? { document.string("parent_id") }
    public var tags: [String] { document.strings("tags") }
    public var mapID: String? { document.string("map_id") }
    public var triggerIDs: [String] { document.strings("triggers") }
}

public struct SystemView: Sendable {
    public let document: ConfigDocument
    public init(_ document: ConfigDocument) { self.document = document }

    public var id: String { document.id }
    public var name: String { document.displayName }
    public var email: String? { document.string("email") }
    /// Zone ids in order; the last one's settings win among zones.
    public var zoneIDs: [String] { document.strings("zones") }
    /// Module ids in order; the order defines `Name_index` addressing.
    public var moduleIDs: [String] { document.strings("modules") }
    public var mapID: String? { document.string("map_id") }
    /// Trigger instances (objects with `trigger_id`), in file order.
    public var triggerInstances: [[String: JSONValue]] {
        document["triggers"]?.arrayValue?.compactMap(\.objectValue) ?? []
    }
}

public struct ModuleView: Sendable {
    public let document: ConfigDocument
    public init(_ document: ConfigDocument) { self.document = document }

    public var id: String { document.id }
    public var driverID: String? { document.string("driver_id") }
    public var customName: String? { document.string("custom_name").flatMap { $0.isEmpty ? nil : $0 } }
    public var controlSystemID: String? { document.string("control_system_id") }
    public var ip: String? { document.string("ip") }
    public var port: Int? { document.int("port") }
    public var uri: String? { document.string("uri") }
    public var tls: Bool { document.bool("tls") ?? false }
    public var udp: Bool { document.bool("udp") ?? false }
    public var makebreak: Bool { document.bool("makebreak") ?? false }
    /// Modules run unless `running` is false.
    public var running: Bool { document.bool("running") ?? true }
}

public struct DriverView: Sendable {
    public let document: ConfigDocument
    public init(_ document: ConfigDocument) { self.document = document }

    public var id: String { document.id }
    public var name: String { document.displayName }
    public var role: DriverRole? { document.int("role").flatMap(DriverRole.init(rawValue:)) }
    public var moduleName: String { document.string("module_name") ?? document.displayName }
    public var repositoryID: String? { document.string("repository_id") }
    public var defaultPort: Int? { document.int("default_port") }
    public var defaultURI: String? { document.string("default_uri") }
}

/// An MQTT broker the runtime publishes status to (PlaceOS `Broker`, docs/config-format.md).
public struct BrokerView: Sendable {
    public enum Authentication: Int, Sendable {
        case clientCertificate = 0
        case none = 1
        case usernamePassword = 2
    }

    public let document: ConfigDocument
    public init(_ document: ConfigDocument) { self.document = document }

    public var id: String { document.id }
    public var name: String { document.displayName }
    public var host: String { document.string("host") ?? "" }
    public var tls: Bool { document.bool("tls") ?? false }
    /// 1883, or 8883 with TLS, unless given.
    public var port: Int { document.int("port") ?? (tls ? 8883 : 1883) }
    /// As given; absent means username and password when a username is set, else none.
    public var authentication: Authentication {
        document.int("auth_type").flatMap(Authentication.init(rawValue:))
            ?? (document.string("username") == nil ? .none : .usernamePassword)
    }
    public var username: String? { document.string("username") }
    /// PEM: the certificates the broker's must chain to (with `tls`); nil trusts the system's.
    public var certificate: String? { document.string("certificate").flatMap { $0.isEmpty ? nil : $0 } }
    public var clientCertificate: String? { document.string("client_certificate") }
    /// Regular expressions whose matches are replaced by an HMAC before publishing.
    public var filters: [String] { document.strings("filters") }
}
