import Foundation
import Auth
import ConfigRepo
import Runtime
import WebServer

/// The API's root routes (placeos-api §4 "root", "cluster"): `GET /api/engine/v2` (a health
/// check anyone may call), `version`, `platform`, `scopes`, and `cluster`, which answers for this
/// one node — its driver processes, module counts and load — so PlaceOS's cluster page works.
struct RESTRoot: Feature {
    static let nodeID = "core-local"

    let version: String
    let engine: RuntimeEngine?

    func mount(on router: inout Router) {
        let base = RESTAPI.base
        router.add(.get, base, immediate: { _ in RESTAPI.json(.object([:])) })
        router.add(.get, base + "/version", immediate: { [version] _ in
            RESTAPI.json(.object(["service": "backoffice", "version": .string(version), "platform_version": .string(version)]))
        })
        router.add(.get, base + "/platform", immediate: { [version] request in
            if let refusal = Self.refusal(request, needs: .user) { return refusal }
            return RESTAPI.json(.object(["version": .string(version), "changelog": "", "services": .array(["backoffice"])]))
        })
        router.add(.get, base + "/scopes", immediate: { request in
            Self.refusal(request, needs: .user) ?? RESTAPI.json(.array(Self.scopes.map(JSONValue.string)))
        })
        router.add(.get, base + "/cluster", immediate: { [self] request in
            Self.refusal(request, needs: .admin) ?? RESTAPI.json(.array([node(withProcesses: request.query("include_status") != nil)]))
        })
        router.add(.get, base + "/cluster/:id", immediate: { [self] request in
            if let refusal = Self.refusal(request, needs: .admin) { return refusal }
            guard request.parameter("id") == Self.nodeID else { return RESTError.notFound("no node \(request.parameter("id") ?? "")").response }
            return RESTAPI.json(node(withProcesses: true))
        })
    }

    /// 401 for a caller nobody signed in, 403 below `role`; nil to go on.
    static func refusal(_ request: Request, needs role: Role) -> Response? {
        guard request.principal.isAuthenticated else { return RESTError.signInRequired.response }
        return request.principal.has(role) ? nil : RESTError.forbidden.response
    }

    /// The resources a token's scopes may name (`<resource>`, `.read`, `.write`), and `public`.
    static var scopes: [String] {
        ["public"] + Set(RESTResource.all.map(\.name) + ["modules", "systems", "settings", "cluster"]).sorted()
    }

    /// This node: its driver processes (with `withProcesses`), module counts and load.
    func node(withProcesses: Bool) -> JSONValue {
        let processes = engine?.processes() ?? []
        let modules = engine?.moduleIDs ?? []
        let running = modules.filter { engine?.moduleState($0) == .running }.count
        var members: [String: JSONValue] = [
            "id": .string(Self.nodeID),
            "hostname": .string(ProcessInfo.processInfo.hostName),
            "compiled_drivers": .array(Set(processes.map(\.executable)).sorted().map(JSONValue.string)),
            "running_drivers": .int(processes.filter { $0.pid != nil }.count),
            "module_instances": .int(modules.count),
            "running_modules": .int(running),
            "load": load,
        ]
        if withProcesses {
            members["driver_processes"] = .array(processes.map { process in
                .object(["driver": .string(process.executable), "pid": process.pid.map { .int(Int($0)) } ?? .null,
                         "modules": .array(process.modules.map(JSONValue.string)), "restarts": .int(process.restarts)])
            })
        }
        return .object(members)
    }

    /// The machine's load averages, cores and memory.
    private var load: JSONValue {
        let averages = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
            .split(separator: " ").prefix(3).compactMap { Double($0) } ?? []
        return .object([
            "cpu_count": .int(ProcessInfo.processInfo.activeProcessorCount),
            "load_average": .array(averages.map(JSONValue.double)),
            "memory_total": .int(Int(ProcessInfo.processInfo.physicalMemory / 1024)),
        ])
    }
}
