import Auth
import ConfigRepo
import Runtime
import Synchronization
import WebServer

/// One client of `/api/engine/v2/live`: the site's read-only feed of module dots, room colours,
/// online counts and (support) a module's whole status. The PlaceOS control API addresses
/// modules only through a system, and a module list shows modules of no system, hence this
/// small feed (docs/runtime.md "Live feed for the site").
///
/// Requests (JSON text): `{"watch": "modules", "ids": [...]}`, `{"watch": "rooms", "systems": [...]}`,
/// `{"watch": "counts"}`, `{"watch": "status", "module": ID}`, `{"unwatch": "status", "module": ID}`,
/// `{"watch": "triggers", "ids": [trig-…]}` (trigger instances' state, no secrets in it).
/// Each answers the current value at once, then every change.
final class LiveSession: Sendable {
    /// What this client watches.
    private struct Watching {
        var modules: Set<String> = []
        /// Logic module → the systems whose room it colours.
        var roomModules: [String: [String]] = [:]
        var counts = false
        var countsPending = false
        var lastCounts: (online: Int, offline: Int, stopped: Int)?
        var statusModules: Set<String> = []
    }

    /// At most this many modules or systems per client (a list page has 100).
    static let maxWatched = 2_000

    private let socket: WebSocket
    private let engine: RuntimeEngine
    private let principal: Principal
    private let watching = Mutex(Watching())
    /// Bounded (`SocketOutbox`): a client that stops reading is closed, not buffered for.
    private let outbox: SocketOutbox
    /// The trigger engine's watch token per watched instance.
    private let triggerTokens = Mutex<[String: Int]>([:])

    init(socket: WebSocket, engine: RuntimeEngine, principal: Principal, outbox: SocketOutbox? = nil) {
        self.socket = socket
        self.engine = engine
        self.principal = principal
        self.outbox = outbox ?? SocketOutbox(socket: socket)
    }

    func run() async {
        // The gate lets only signed-in callers upgrade; without one, nobody gets the feed.
        guard principal.isAuthenticated else {
            try? await socket.send(text: JSONWriter.compactString(.object(["type": "error", "error_code": 2, "msg": "sign in required"])))
            socket.close(code: WebSocketCloseCode.policyViolation, reason: "sign in required")
            return
        }
        let writer = Task { [outbox] in await outbox.write() }
        let stateToken = engine.watchStates { [weak self] module, _ in self?.moduleChanged(module) }
        let statusToken = engine.status.watchAll { [weak self] module, key, value in self?.statusChanged(module, key, value) }
        defer {
            engine.unwatchStates(stateToken)
            engine.status.unwatch(statusToken)
            for token in triggerTokens.withLock({ tokens in defer { tokens.removeAll() }; return Array(tokens.values) }) {
                engine.triggers.unwatch(token)
            }
            outbox.finish()
            writer.cancel()
        }
        for await message in socket.messages {
            guard case .text(let text) = message else { continue }
            if text == "ping" { send("pong"); continue }
            handle(text)
        }
    }

    private func handle(_ text: String) {
        guard let request = try? JSONParser.parse(Array(text.utf8)), let object = request.objectValue else {
            return error("requests are JSON objects such as {\"watch\": \"modules\", \"ids\": [\"mod-…\"]}")
        }
        if object["unwatch"]?.stringValue == "status", let module = object["module"]?.stringValue {
            _ = watching.withLock { $0.statusModules.remove(module) }
            return
        }
        switch object["watch"]?.stringValue {
        case "modules":
            let ids = Array((object["ids"]?.arrayValue ?? []).compactMap(\.stringValue).prefix(Self.maxWatched))
            watching.withLock { $0.modules.formUnion(ids) }
            for id in ids { sendDot(id) }
        case "rooms":
            let systems = Array((object["systems"]?.arrayValue ?? []).compactMap(\.stringValue).prefix(Self.maxWatched))
            for system in systems {
                let modules = RoomState.modules(ofSystem: system, in: engine)
                watching.withLock { state in
                    for module in modules where !(state.roomModules[module]?.contains(system) ?? false) {
                        state.roomModules[module, default: []].append(system)
                    }
                }
                sendRoom(system)
            }
        case "triggers":
            let ids = Array((object["ids"]?.arrayValue ?? []).compactMap(\.stringValue).prefix(Self.maxWatched))
            for id in ids where triggerTokens.withLock({ $0[id] == nil && $0.count < Self.maxWatched }) {
                // Called at once with the current state, then on every change.
                let token = engine.triggers.watch(instance: id) { [weak self] state in
                    self?.send(.object(["type": "trigger", "id": .string(state.instanceID), "state": state.json]))
                }
                guard let token else { continue }
                let duplicate = triggerTokens.withLock { tokens in
                    if tokens[id] != nil { return true }
                    tokens[id] = token
                    return false
                }
                if duplicate { engine.triggers.unwatch(token) }
            }
        case "counts":
            watching.withLock { $0.counts = true; $0.lastCounts = nil }
            sendCounts()
        case "status":
            // A module's whole status is what `GET /modules/:id/state` answers: support's.
            guard principal.has(.support), principal.allows(scope: "modules.read") else {
                return error("viewing a module's state needs the support role", code: 2)
            }
            guard let module = object["module"]?.stringValue, engine.hasModule(module) else {
                return error("no such module", code: 6)
            }
            watching.withLock { _ = $0.statusModules.insert(module) }
            send(.object(["type": "status", "module": .string(module), "values": .object(engine.status.values(module: module))]))
        default:
            error("unknown request: watch one of modules, rooms, counts, status, triggers")
        }
    }

    // MARK: - Changes from the runtime

    private func moduleChanged(_ module: String) {
        let (dot, counts) = watching.withLock { ($0.modules.contains(module), $0.counts) }
        if dot { sendDot(module) }
        if counts { scheduleCounts() }
    }

    private func statusChanged(_ module: String, _ key: String, _ value: JSONValue) {
        let (dot, counts, systems, status) = watching.withLock {
            ($0.modules.contains(module), $0.counts, $0.roomModules[module], $0.statusModules.contains(module))
        }
        if RuntimeEngine.conditionKeys.contains(key) {
            if dot { sendDot(module) }
            if counts { scheduleCounts() }
        }
        if key == "state", let systems {
            for system in systems { sendRoom(system) }
        }
        if status {
            send(.object(["type": "status", "module": .string(module), "key": .string(key), "value": value]))
        }
    }

    /// Counting walks every module; changes arriving together are counted once.
    private func scheduleCounts() {
        let first = watching.withLock { state in
            defer { state.countsPending = true }
            return !state.countsPending
        }
        guard first else { return }
        Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(250))
            guard let self else { return }
            self.watching.withLock { $0.countsPending = false }
            self.sendCounts()
        }
    }

    // MARK: - Messages

    private func sendDot(_ module: String) {
        let dot = LiveDot.of(module: module, in: engine)
        send(.object(["type": "module", "id": .string(module), "dot": .string(dot.dot), "text": .string(dot.text)]))
    }

    private func sendRoom(_ system: String) {
        send(.object(["type": "room", "system": .string(system), "state": .string(RoomState.of(system: system, in: engine))]))
    }

    private func sendCounts() {
        let counts = LiveDot.counts(in: engine)
        let changed = watching.withLock { state in
            defer { state.lastCounts = counts }
            return state.lastCounts.map { $0 != counts } ?? true
        }
        guard changed else { return }
        send(.object(["type": "counts", "online": .int(counts.online), "offline": .int(counts.offline), "stopped": .int(counts.stopped)]))
    }

    private func error(_ message: String, code: Int = 1) {
        send(.object(["type": "error", "error_code": .int(code), "msg": .string(message)]))
    }

    private func send(_ value: JSONValue) { send(JSONWriter.compactString(value)) }

    private func send(_ text: String) { outbox.send(text) }
}
