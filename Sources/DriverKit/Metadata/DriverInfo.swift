/// Who the driver is: everything in the metadata (`docs/driver-protocol.md` §5) except its
/// functions, which come from the driver's function table.
public struct DriverInfo: Sendable {
    public var name: String
    public var description: String
    public var moduleName: String
    public var role: Role
    public var defaultPort: Int?
    public var defaultURI: String?
    public var makebreak: Bool
    public var defaultSettings: JSON
    public var settingsSchema: JSON?
    public var implements: [String]

    public init(name: String, description: String = "", moduleName: String, role: Role,
                defaultPort: Int? = nil, defaultURI: String? = nil, makebreak: Bool = false,
                defaultSettings: JSON = [:], settingsSchema: JSON? = nil, implements: [String] = []) {
        self.name = name
        self.description = description
        self.moduleName = moduleName
        self.role = role
        self.defaultPort = defaultPort
        self.defaultURI = defaultURI
        self.makebreak = makebreak
        self.defaultSettings = defaultSettings
        self.settingsSchema = settingsSchema
        self.implements = implements
    }

    /// The metadata object: this info plus `functions`.
    public func metadata(functions: [FunctionSpec]) -> JSON {
        var table: [String: JSON] = [:]
        for function in functions { table[function.name] = function.json }
        return [
            "name": .string(name),
            "description": .string(description),
            "module_name": .string(moduleName),
            "role": .number(Double(role.rawValue)),
            "default_port": defaultPort.map { .number(Double($0)) } ?? .null,
            "default_uri": defaultURI.map { .string($0) } ?? .null,
            "makebreak": .bool(makebreak),
            "default_settings": defaultSettings,
            "settings_schema": settingsSchema ?? .null,
            "implements": .array(implements.map { .string($0) }),
            "functions": .object(table),
        ]
    }
}

/// What kind of module a driver makes (PlaceOS roles).
public enum Role: Int, Sendable {
    case ssh = 0
    case device = 1
    case service = 2
    case websocket = 3
    case logic = 99
}
