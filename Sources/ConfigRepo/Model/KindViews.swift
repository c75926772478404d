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
