import Auth
import ConfigRepo
import Runtime
import WebServer

/// What the site shows for a module's live state: the dot's CSS class and its words.
/// The class is the module's `ModuleCondition` (`online`, `degraded`, `offline`, `starting`,
/// `stopped`, `failed`), or `pending` for a module the runtime has not applied yet (a commit that
/// just added it, or a head the runtime refused). The words carry the reason and since when for
/// every state but online (`failed: no executable … (since 2026-12-04 15:42:07 UTC)`), so no dot
/// stands without its explanation. Used for the first render (per request) and the live updates.
struct LiveDot: Equatable, Sendable {
    var dot: String
    var text: String

    static func of(module id: String, in engine: RuntimeEngine) -> LiveDot {
        guard engine.hasModule(id) else { return LiveDot(dot: "pending", text: "not applied yet") }
        let condition = engine.condition(of: id)
        return LiveDot(dot: condition.state.rawValue, text: condition.text)
    }

    /// How many modules of the applied configuration are online and how many are not (stopped
    /// ones included in neither).
    static func counts(in engine: RuntimeEngine) -> (online: Int, offline: Int, stopped: Int) {
        var online = 0, offline = 0, stopped = 0
        for id in engine.moduleIDs {
            switch of(module: id, in: engine).dot {
            case "online": online += 1
            case "stopped": stopped += 1
            default: offline += 1
            }
        }
        return (online, offline, stopped)
    }
}

/// A room's colour on the level map: its logic module's `state` (`free`, `occupied`, `in_use`);
/// `unknown` when no logic module reports one (or the value is something else).
enum RoomState {
    static let known: Set<String> = ["free", "occupied", "in_use"]

    /// The logic modules whose `state` colours the system's room.
    static func modules(ofSystem system: String, in engine: RuntimeEngine) -> [String] {
        engine.snapshot?.logicModules(ofSystem: system) ?? []
    }

    static func of(system: String, in engine: RuntimeEngine) -> String {
        for module in modules(ofSystem: system, in: engine) {
            if let value = engine.status.value(module: module, key: "state")?.stringValue {
                return known.contains(value) ? value : "unknown"
            }
        }
        return "unknown"
    }
}
