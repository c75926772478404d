import Auth
import Metrics
import Runtime
import WebServer

/// The WebSocket control API at `/api/engine/v2/systems/control` (placeos-api §5): `bind`,
/// `unbind`, `exec`, `debug`, `ignore`; text `ping` → `pong`. Also the site's read-only live feed
/// at `/api/engine/v2/live` (`LiveSession`). `access` writes binds and execs to the access log
/// once identity and access give it one; `panels` counts the sockets opened with
/// `fixed_device=true` (touch panels); `sessions` counts open sockets per endpoint.
public struct ControlAPI: Feature {
    let engine: RuntimeEngine
    let access: SystemAccessRecorder
    let hub: BindingHub
    let panels: TouchPanels
    let sessions: GaugeFamily?
    /// Where a client closed for not reading is reported.
    let logger: Logger

    public init(engine: RuntimeEngine, access: SystemAccessRecorder = SystemAccessRecorder(), logger: Logger = Logger(level: .off),
                panels: TouchPanels = TouchPanels(), metrics: MetricsRegistry? = nil) {
        self.access = access
        self.engine = engine
        self.logger = logger
        self.panels = panels
        hub = BindingHub(engine: engine)
        sessions = metrics?.gauge("backoffice_websocket_sessions", help: "Open WebSocket sessions, by endpoint (control, live).",
                                  labels: ["endpoint"])
    }

    public func mount(on router: inout Router) {
        let control = sessions?.labels("control"), live = sessions?.labels("live")
        router.webSocket("/api/engine/v2/systems/control") { [engine, hub, access, panels, logger] socket, request in
            control?.increment()
            defer { control?.decrement() }
            let token = request.query("fixed_device") == "true" ? panels.opened() : nil
            defer { if let token { panels.closed(token) } }
            await ControlSession(socket: socket, engine: engine, hub: hub, principal: request.principal, access: access,
                                 outbox: SocketOutbox(socket: socket, logger: logger), panel: token.map { (panels, $0) }).run()
        }
        router.webSocket("/api/engine/v2/live") { [engine, logger] socket, request in
            live?.increment()
            defer { live?.decrement() }
            await LiveSession(socket: socket, engine: engine, principal: request.principal, outbox: SocketOutbox(socket: socket, logger: logger)).run()
        }
    }
}
