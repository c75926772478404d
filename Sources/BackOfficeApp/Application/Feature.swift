import WebServer

/// A part of the application that answers requests: it adds its routes to the router, GET and
/// POST alike, and nothing else dispatches for it. Every feature mounts itself this way.
public protocol Feature: Sendable {
    func mount(on router: inout Router)
}
