import Runtime

extension Router {
    /// Adds the WebSocket control API at `/api/engine/v2/systems/control` (placeos-api §5):
    /// `bind`, `unbind`, `exec`, `debug`, `ignore`; text `ping` → `pong`. Also the site's
    /// read-only live feed at `/api/engine/v2/live` (`LiveSession`). `access` writes binds and
    /// execs to the access log once identity and access give it one.
    public mutating func addControlAPI(engine: RuntimeEngine, access: SystemAccessRecorder = SystemAccessRecorder()) {
        let hub = BindingHub(engine: engine)
        webSocket("/api/engine/v2/systems/control") { socket, request in
            await ControlSession(socket: socket, engine: engine, hub: hub, principal: request.principal, access: access).run()
        }
        webSocket("/api/engine/v2/live") { socket, request in
            await LiveSession(socket: socket, engine: engine, principal: request.principal).run()
        }
    }
}
