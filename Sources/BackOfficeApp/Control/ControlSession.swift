import Auth
import ConfigRepo
import Runtime
import Synchronization
import WebServer

/// One client of `/api/engine/v2/systems/control`: reads requests, answers each by `id`, and
/// keeps its bindings and debug streams until the socket closes.
final class ControlSession: Sendable {
    private let socket: WebSocket
    private let engine: RuntimeEngine
    private let hub: BindingHub
    private let principal: Principal
    private let access: SystemAccessRecorder
    /// With `fixed_device=true`: this touch panel's token in `TouchPanels` (binds count for their system).
    private let panel: (panels: TouchPanels, token: Int)?
    private let bindings = Mutex<Set<ControlMeta>>([])
    /// Debug streams by module id: the runtime's token and the meta the client asked with.
    private let debugging = Mutex<[String: Int]>([:])
    /// Answers in the order they are produced, written by one task; bounded (`SocketOutbox`).
    private let outbox: SocketOutbox
    /// Execs not yet answered: at most `maxExecsInFlight`, so a client cannot pile up tasks.
    private let execsInFlight = Mutex(0)
    /// `_TRIGGER_` bindings: the trigger engine's watch token per binding.
    private let triggerBindings = Mutex<[ControlMeta: Int]>([:])

    /// How many execs one client may have waiting for their driver at once.
    static let maxExecsInFlight = 64

    init(socket: WebSocket, engine: RuntimeEngine, hub: BindingHub, principal: Principal, access: SystemAccessRecorder,
         outbox: SocketOutbox? = nil, panel: (panels: TouchPanels, token: Int)? = nil) {
        self.access = access
        self.panel = panel
        self.socket = socket
        self.engine = engine
        self.hub = hub
        self.principal = principal
        self.outbox = outbox ?? SocketOutbox(socket: socket)
    }

    func run() async {
        // The gate lets only signed-in callers upgrade; without one, nobody gets a session.
        guard principal.isAuthenticated else {
            try? await socket.send(text: ControlResponse.error(id: nil, code: 2, message: "sign in required"))
            socket.close(code: WebSocketCloseCode.policyViolation, reason: "sign in required")
            return
        }
        let writer = Task { [outbox] in await outbox.write() }
        // PlaceOS clients watch for pongs; send one unasked every 80 s as PlaceOS does.
        let keepAlive = Task { [outbox] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(80))
                if !Task.isCancelled { outbox.send("pong") }
            }
        }
        defer {
            writer.cancel()
            keepAlive.cancel()
        }
        for await message in socket.messages {
            guard case .text(let text) = message else {
                send(ControlResponse.error(id: nil, code: 0, message: "requests are JSON text messages"))
                continue
            }
            if text == "ping" {
                send("pong")
                continue
            }
            switch ControlRequest.parse(text) {
            case .failure(let error):
                send(ControlResponse.error(id: error.id, code: error.code, message: error.message))
            case .success(let request):
                handle(request)
            }
        }
        close()
    }

    private func handle(_ request: ControlRequest) {
        let meta = request.meta
        switch request.command {
        case .bind:
            // Tokens and API keys need a scope allowing system reads (the upgrade already did).
            guard principal.allows(scope: "systems.read") else {
                return send(ControlResponse.error(id: request.id, code: 2, message: "bind needs the systems.read scope", meta: meta))
            }
            if meta.module == Self.triggerModule { return bindTrigger(request) }
            if let refusal = RuntimeEngine.authorize(role: principal.role, function: nil, moduleName: request.module) {
                return send(ControlResponse.error(id: request.id, refusal, meta: meta))
            }
            let fresh = bindings.withLock { $0.insert(meta).inserted }
            guard fresh else {
                let value = engine.resolve(system: meta.system, name: meta.module, index: meta.index)
                    .map { engine.status.value(module: $0, key: meta.name) }
                send(ControlResponse.success(id: request.id, meta: meta))
                if case .success(let current) = value { send(ControlResponse.notify(meta: meta, value: current ?? .null)) }
                return
            }
            switch hub.bind(meta, socket: socket) {
            case .failure(let error):
                _ = bindings.withLock { $0.remove(meta) }
                send(ControlResponse.error(id: request.id, error, meta: meta))
            case .success(let value):
                access.record(principal, system: meta.system, action: "view")
                if let panel { panel.panels.bound(panel.token, system: meta.system) }
                send(ControlResponse.success(id: request.id, meta: meta))
                send(ControlResponse.notify(meta: meta, value: value ?? .null))
            }
        case .unbind:
            if meta.module == Self.triggerModule, let token = triggerBindings.withLock({ $0.removeValue(forKey: meta) }) {
                engine.triggers.unwatch(token)
            }
            if bindings.withLock({ $0.remove(meta) }) != nil { hub.unbind(meta, socket: socket) }
            send(ControlResponse.success(id: request.id, meta: meta))
        case .exec:
            guard principal.allows(scope: "systems.write") else {
                return send(ControlResponse.error(id: request.id, code: 2, message: "exec needs the systems.write scope", meta: meta))
            }
            // The engine checks the function's security against the role (RuntimeEngine.authorize,
            // the same rule as Principal.mayExecute(functionSecurity:)).
            let role = principal.role, userID = principal.userID
            let admitted = execsInFlight.withLock { count in
                guard count < Self.maxExecsInFlight else { return false }
                count += 1
                return true
            }
            guard admitted else {
                return send(ControlResponse.error(id: request.id, code: 3, message: "too many requests in flight; wait for their answers", meta: meta))
            }
            // Answered from the thread that reads the driver's reply: no task per call.
            engine.exec(system: request.system, name: request.module, index: request.index,
                        method: request.name, args: request.args, role: role, userID: userID) { [self] result in
                execsInFlight.withLock { $0 -= 1 }
                // Like the gate for REST: an exec that was allowed counts as control of the system.
                let allowed = switch result {
                case .success: true
                case .failure(let error): !["access_denied", "unknown_system", "unknown_module"].contains(error.code)
                }
                if allowed { access.record(principal, system: request.system, action: "control") }
                switch result {
                case .success(let value): send(ControlResponse.success(id: request.id, meta: meta, value: value, code: 200))
                case .failure(let error): send(ControlResponse.error(id: request.id, error, meta: meta))
                }
            }
        case .debug:
            if !principal.has(.support) || !principal.allows(scope: "modules.read") {
                return send(ControlResponse.error(id: request.id, code: 2, message: "debug needs the support role (and the modules.read scope for tokens)", meta: meta))
            }
            let module: String
            switch moduleID(for: request) {
            case .failure(let error): return send(ControlResponse.error(id: request.id, error, meta: meta))
            case .success(let id): module = id
            }
            let already = debugging.withLock { $0[module] != nil }
            if !already {
                // Support reads its own levels, not the admin-level values a driver may log (a password it sends).
                let redactor = LogRedactor(engine: engine, module: module, role: principal.role)
                let token = engine.debug(module: module) { [weak self] module, level, message in
                    self?.send(ControlResponse.debug(module: module, level: level, message: redactor.redact(message), meta: meta))
                }
                let duplicate = debugging.withLock { state in
                    if state[module] != nil { return true }
                    state[module] = token
                    return false
                }
                if duplicate { engine.stopDebugging(token) }
            }
            send(ControlResponse.success(id: request.id, meta: meta))
        case .ignore:
            if case .success(let module) = moduleID(for: request),
               let token = debugging.withLock({ $0.removeValue(forKey: module) }) {
                engine.stopDebugging(token)
            }
            send(ControlResponse.success(id: request.id, meta: meta))
        }
    }

    /// The pseudo-module whose bindings stream a trigger instance's state (PlaceOS:
    /// `{"sys": "sys-…", "mod": "_TRIGGER_", "name": "trig-…"}`).
    static let triggerModule = "_TRIGGER_"

    /// Binds a trigger instance of the system: the answer, then its state now and after every
    /// change. The state holds no secrets, so any reader of the system may bind it.
    private func bindTrigger(_ request: ControlRequest) {
        let meta = request.meta
        guard let state = engine.triggers.state(of: meta.name), state.systemID == meta.system else {
            return send(ControlResponse.error(id: request.id, code: 6, message: "system \(meta.system) has no trigger instance \(meta.name)", meta: meta))
        }
        send(ControlResponse.success(id: request.id, meta: meta))
        guard triggerBindings.withLock({ $0[meta] == nil }) else {
            return send(ControlResponse.notify(meta: meta, value: state.json))
        }
        access.record(principal, system: meta.system, action: "view")
        let token = engine.triggers.watch(instance: meta.name) { [weak self] state in
            self?.send(ControlResponse.notify(meta: meta, value: state.json))
        }
        guard let token else { return }
        let duplicate = triggerBindings.withLock { bindings in
            if bindings[meta] != nil { return true }
            bindings[meta] = token
            return false
        }
        if duplicate { engine.triggers.unwatch(token) }
    }

    /// `debug`/`ignore` name the module by id in `mod` (PlaceOS), or by `sys` + `mod` + `index`.
    private func moduleID(for request: ControlRequest) -> Result<String, RuntimeError> {
        if engine.hasModule(request.module) {
            return .success(request.module)
        }
        guard !request.system.isEmpty else {
            return .failure(RuntimeError(code: "unknown_module", message: "module \(request.module) does not exist"))
        }
        return engine.resolve(system: request.system, name: request.module, index: request.index)
    }

    private func send(_ text: String) {
        outbox.send(text)
    }

    private func close() {
        outbox.finish()
        for meta in bindings.withLock({ state in defer { state.removeAll() }; return state }) {
            hub.unbind(meta, socket: socket)
        }
        for token in debugging.withLock({ state in defer { state.removeAll() }; return Array(state.values) }) {
            engine.stopDebugging(token)
        }
        for token in triggerBindings.withLock({ state in defer { state.removeAll() }; return Array(state.values) }) {
            engine.triggers.unwatch(token)
        }
    }
}
