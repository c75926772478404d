import WebServer

/// The gate of `serve --auth off` (loopback only, for the web-server tests and the auth
/// benchmark): every request acts as the local administrator. Without any gate a request is
/// anonymous and may do nothing protected; this is the one way to say otherwise, out loud.
public enum LocalAdminGate {
    public static let gate: RequestGate = { request, _ in
        request.principal = .localAdmin
        return nil
    }
}
