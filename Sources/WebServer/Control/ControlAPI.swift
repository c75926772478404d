import Runtime

extension Router {
    /// Adds the WebSocket control API at `/api/engine/v2/systems/control` (placeos-api §5):
    /// `bind`, `unbind`, `exec`, `debug`, `ignore`; text `ping` → `pong`.
    public mutating func addControlAPI(engine: RuntimeEngine) {
        let hub = BindingHub(engine: engine)
        webSocket("/api/engine/v2/systems/control") { socket, request in
            await ControlSession(socket: socket, engine: engine, hub: hub, principal: request.principal).run()
        }
    }
}
