import ConfigRepo
import Foundation

/// The synthetic building portfolio the benchmarks share: 10,000 systems of 5 modules each,
/// 2,000 zones (org → 20 buildings → levels) and 300 drivers (`scale` divides the sizes).
public struct SyntheticPortfolio: Sendable {
    public let systems: Int
    public let modulesPerSystem = 5
    public let zones: Int
    public let drivers: Int
    /// Every object in its kind's directory instead of shard folders for modules, systems and zones.
    public let flat: Bool

    /// The sizes and layout from the command line: `--small` divides by 10, `--flat`.
    public init(arguments: [String] = CommandLine.arguments) {
        let scale = arguments.contains("--small") ? 10 : 1
        systems = 10_000 / scale
        zones = 2_000 / scale
        drivers = 300 / scale
        flat = arguments.contains("--flat")
    }

    public var summary: String {
        "\(systems) systems, \(systems * modulesPerSystem) modules, \(zones) zones, \(drivers) drivers; "
            + (flat ? "flat" : "sharded (modules, systems, zones)") + " layout"
    }

    /// Every object of the portfolio.
    public func documents() -> [ConfigDocument] {
        var documents: [ConfigDocument] = []
        func add(_ kind: Kind, _ id: String, _ members: [String: JSONValue]) {
            documents.append(ConfigDocument(ref: ObjectRef(kind, id), members: members))
        }
        add(.domain, "authority-bench", ["name": "Bench", "domain": "localhost"])
        add(.repository, "repo-bench", ["name": "Drivers", "repo_type": "driver", "folder_name": "drivers", "uri": "bundled:Drivers"])
        for d in 0..<drivers {
            let logic = d % 10 == 0
            var members: [String: JSONValue] = [
                "name": .string("Driver \(d)"), "repository_id": "repo-bench", "file_name": .string("d\(d)/Driver.swift"),
                "role": logic ? 99 : 1, "module_name": .string(logic ? "Logic\(d)" : "Device\(d)"), "settings": ["none": ["poll_every": 30]],
            ]
            if !logic { members["default_port"] = 4352 }
            add(.driver, "driver-\(d)", members)
        }
        let buildings = max(1, zones / 100)
        add(.zone, "zone-org", ["name": "Portfolio", "tags": ["org"]])
        for b in 0..<buildings {
            add(.zone, "zone-b\(b)", ["name": .string("Building \(b)"), "tags": ["building"], "parent_id": "zone-org"])
        }
        let levels = zones - buildings - 1
        for l in 0..<levels {
            add(.zone, "zone-l\(l)", ["name": .string("Level \(l)"), "tags": ["level"], "parent_id": .string("zone-b\(l % buildings)"),
                                      "settings": ["none": ["vacancy_timeout_minutes": .int(10 + l % 20)]]])
        }
        let logicDrivers = Array(stride(from: 0, to: drivers, by: 10))
        let deviceDrivers = (0..<drivers).filter { $0 % 10 != 0 }
        for s in 0..<systems {
            let level = s % levels
            var modules: [JSONValue] = []
            for m in 0..<modulesPerSystem {
                let id = "mod-s\(s)-\(m)"
                modules.append(.string(id))
                if m == 0 {
                    add(.module, id, ["driver_id": .string("driver-\(logicDrivers[s % logicDrivers.count])"),
                                      "control_system_id": .string("sys-\(s)")])
                } else {
                    add(.module, id, ["driver_id": .string("driver-\(deviceDrivers[(s + m) % deviceDrivers.count])"),
                                      "ip": .string("10.\(s / 250 % 250).\(s % 250).\(m)"), "port": 4352])
                }
            }
            add(.system, "sys-\(s)", [
                "name": .string("Room \(s)"), "email": .string("room\(s)@bench.example"), "capacity": .int(4 + s % 12),
                "bookable": true, "features": ["vc"], "modules": .array(modules),
                "zones": ["zone-org", .string("zone-b\(level % buildings)"), .string("zone-l\(level)")],
            ])
        }
        return documents
    }

    /// Writes the portfolio as files under `root`: `backoffice.json` (declaring the sharded
    /// layout unless `flat`), each object at its path in that layout.
    public func write(at root: String) throws {
        func put(_ path: String, _ value: JSONValue) throws {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(JSONWriter.canonicalBytes(value)).write(to: url)
        }
        let sharded: [Kind] = flat ? [] : [.module, .system, .zone]
        var deployment: [String: JSONValue] = ["title": "Synthetic portfolio", "settings": ["none": ["timezone": "UTC"]]]
        if !flat { deployment["layout"] = ["sharded": .array(sharded.map { .string($0.directory) })] }
        try put("backoffice.json", .object(deployment))
        for document in documents() {
            try put(sharded.contains(document.kind) ? document.ref.shardedPath : document.ref.path, .object(document.members))
        }
    }
}
