import ConfigRepo
import Foundation

/// An in-memory configuration for the benchmark: the sample building's bundled drivers (settings
/// sealed with the bench's secret) and generated systems of five modules each pointing at
/// local simulators.
struct BenchBuilding {
    struct Ports {
        var pjlink: Int
        var modbus: Int
        var lutron: Int
        var occupancy: Int
    }

    let box: SecretBox

    private func file(_ path: String, _ members: [String: JSONValue]) -> RepoFile {
        var hash: UInt64 = 1469598103934665603
        for byte in (path + JSONWriter.compactString(.object(members))).utf8 { hash = (hash ^ UInt64(byte)) &* 1099511628211 }
        let hex = String(format: "%016llx", hash)
        return RepoFile(path: path, blob: ObjectID(hex: hex + hex + String(hex.prefix(8)))!, bytes: JSONWriter.canonicalBytes(.object(members)))
    }

    /// Drivers and repository from `sample-config/`.
    private func base() throws -> [RepoFile] {
        let root = FileManager.default.currentDirectoryPath + "/sample-config"
        var files: [RepoFile] = []
        for directory in ["repositories", "drivers"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: root + "/" + directory) where name.hasSuffix(".json") {
                let data = try Data(contentsOf: URL(fileURLWithPath: root + "/" + directory + "/" + name))
                var members = try JSONParser.parse([UInt8](data)).objectValue ?? [:]
                if let settings = members["settings"] {
                    members["settings"] = Settings.parse(settings).settings.sealed(objectID: String(name.dropLast(5)), box: box).json
                }
                files.append(file(directory + "/" + name, members))
            }
        }
        return files
    }

    /// `count` Lutron modules `mod-bench-light-N` in one system `sys-bench-lights` (Lighting_1…N).
    func lights(_ count: Int, port: Int) throws -> Snapshot {
        var files = try base()
        var modules: [JSONValue] = []
        for index in 1...count {
            let id = "mod-bench-light-\(index)"
            files.append(file("modules/\(id).json", ["driver_id": "driver-lutron-lighting", "ip": "127.0.0.1", "port": .int(port)]))
            modules.append(.string(id))
        }
        files.append(file("systems/sys-bench-lights.json", ["name": "Bench lights", "modules": .array(modules)]))
        return Snapshot(commit: nil, files: files)
    }

    /// `rooms` systems of logic, occupancy, HVAC, lighting and projector (5 × rooms modules).
    func rooms(_ rooms: Int, ports: Ports) throws -> Snapshot {
        var files = try base()
        for room in 1...rooms {
            let system = "sys-bench-\(room)"
            let ids = ["logic", "occupancy", "hvac", "lighting", "projector"].map { "mod-bench-\(room)-\($0)" }
            files.append(file("modules/\(ids[0]).json", ["driver_id": "driver-room-logic", "control_system_id": .string(system)]))
            files.append(file("modules/\(ids[1]).json", ["driver_id": "driver-occupancy-sensor",
                                                         "uri": .string("http://127.0.0.1:\(ports.occupancy)/rooms/\(system)")]))
            files.append(file("modules/\(ids[2]).json", ["driver_id": "driver-modbus-hvac", "ip": "127.0.0.1", "port": .int(ports.modbus)]))
            files.append(file("modules/\(ids[3]).json", ["driver_id": "driver-lutron-lighting", "ip": "127.0.0.1", "port": .int(ports.lutron)]))
            files.append(file("modules/\(ids[4]).json", ["driver_id": "driver-pjlink-projector", "ip": "127.0.0.1", "port": .int(ports.pjlink)]))
            files.append(file("systems/\(system).json", ["name": .string("Bench room \(room)"), "modules": .array(ids.map(JSONValue.string))]))
        }
        return Snapshot(commit: nil, files: files)
    }
}
