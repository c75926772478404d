import ConfigRepo

/// WebServer: HTTP/1.1 and WebSocket on epoll, routes, auth, REST and forms (DESIGN §6).
public enum WebServerModule {
    /// The module's name, for logs.
    public static let name = "WebServer"
}
