import Auth
import Runtime
import WebServer

/// The WebSocket control API at `/api/engine/v2/systems/control` (placeos-api §5): `bind`,
/// `unbind`, `exec`, `debug`, `ignore`; text `ping` → `pong`. Also the site's read-only live feed
/// at `/api/engine/v2/live` (`LiveSession`). `access` writes binds and execs to the access log
/// once identity and access give it one.
public struct ControlAPI: Feature {
    let engine: RuntimeEngine
    let access: SystemAccessRecorder
    let hub: BindingHub
    /// Where a client closed for not reading is reported.
    let logger: Logger

    public init(engine: RuntimeEngine, access: SystemAccessRecorder = SystemAccessRecorder(), logger: Logger = Logger(level: .off)) {
        self.engine = engine
        self.access = access
        self.logger = logger
        hub = BindingHub(engine: engine)
    }

    public func mount(on router: inout Router) {
        router.webSocket("/api/engine/v2/systems/control") { [engine, hub, access, logger] socket, request in
            await ControlSession(socket: socket, engine: engine, hub: hub, principal: request.principal, access: access,
                                 outbox: SocketOutbox(socket: socket, logger: logger)).run()
        }
        router.webSocket("/api/engine/v2/live") { [engine, logger] socket, request in
            await LiveSession(socket: socket, engine: engine, principal: request.principal, outbox: SocketOutbox(socket: socket, logger: logger)).run()
        }
    }
}
