import ConfigRepo

/// What the configuration asks of one module: which executable runs it, the `config` object it
/// is started with (driver protocol §3.1) and whether it runs. Two specs compare equal when
/// nothing the driver would see changed.
public struct ModuleSpec: Sendable, Hashable {
    /// The fields whose change restarts the module's connection (DESIGN §5).
    public static let connectionFields = ["ip", "port", "tls", "udp", "makebreak", "uri"]

    public var id: String
    public var driverID: String
    /// The executable, or why the module cannot run.
    public var executable: Result<String, RuntimeError>
    /// The §3.1 object; `settings` is the merged, decrypted settings.
    public var config: [String: JSONValue]
    /// Set when the merged settings cannot be opened; the module is then marked failed.
    public var settingsProblem: String?
    public var running: Bool

    public var connection: [JSONValue] { Self.connectionFields.map { config[$0] ?? .null } }
    public var settings: JSONValue { config["settings"] ?? .object([:]) }
    /// The config without settings and connection fields (name, role, notes, system).
    var identity: [String: JSONValue] {
        config.filter { $0.key != "settings" && !Self.connectionFields.contains($0.key) }
    }

    /// The spec of every module of a snapshot, by id.
    public static func all(in snapshot: Snapshot, resolver: any DriverBinaryResolver, box: SecretBox) -> [String: ModuleSpec] {
        var specs: [String: ModuleSpec] = [:]
        var executables: [String: Result<String, RuntimeError>] = [:]
        for document in snapshot.unordered(.module) {
            let module = ModuleView(document)
            let driver = snapshot.driver(ofModule: document)
            let executable: Result<String, RuntimeError>
            if let driver {
                if let known = executables[driver.id] {
                    executable = known
                } else {
                    executable = resolver.executable(for: driver, repository: driver.repositoryID.flatMap { snapshot.document(.repository, $0) })
                    executables[driver.id] = executable
                }
            } else {
                executable = .failure(RuntimeError(code: "start_failed", message: "driver \(module.driverID ?? "(none)") does not exist"))
            }
            var settingsProblem: String?
            var settings: [String: JSONValue] = [:]
            let layers = snapshot.settingsLayers(forModule: module.id)
            do { settings = try SettingsMerge.effective(layers, box: box) } catch {
                settingsProblem = "cannot open the module's settings: \(error)"
            }
            let role = driver?.role?.rawValue
            var config: [String: JSONValue] = [
                "module": .string(module.id),
                "driver": module.driverID.map(JSONValue.string) ?? .null,
                "role": role.map(JSONValue.int) ?? .null,
                "name": .string(module.customName ?? driver?.moduleName ?? module.id),
                "ip": module.ip.map(JSONValue.string) ?? .null,
                "port": (module.port ?? driver?.defaultPort).map(JSONValue.int) ?? .null,
                "tls": .bool(module.tls), "udp": .bool(module.udp), "makebreak": .bool(module.makebreak),
                "uri": (module.uri ?? driver?.defaultURI).map(JSONValue.string) ?? .null,
                "control_system_id": module.controlSystemID.map(JSONValue.string) ?? .null,
                "notes": document["notes"] ?? .null,
            ]
            config["settings"] = .object(settings)
            specs[module.id] = ModuleSpec(id: module.id, driverID: module.driverID ?? "", executable: executable,
                                          config: config, settingsProblem: settingsProblem, running: module.running)
        }
        return specs
    }
}
