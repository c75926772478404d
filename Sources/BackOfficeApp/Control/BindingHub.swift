import Auth
import ConfigRepo
import Runtime
import Synchronization
import WebServer

/// Shares one runtime subscription among every WebSocket bound to the same
/// `(sys, mod, index, name)`: each change is encoded once and broadcast to all of them.
/// Bindings follow the system's module order because the runtime's subscription does.
final class BindingHub: Sendable {
    private struct Entry {
        var token: Int
        var sockets: [ObjectIdentifier: WebSocket]
    }

    private let engine: RuntimeEngine
    private let entries = Mutex<[ControlMeta: Entry]>([:])

    init(engine: RuntimeEngine) {
        self.engine = engine
    }

    /// Binds `socket`; returns the current value (nil when unset).
    func bind(_ meta: ControlMeta, socket: WebSocket) -> Result<JSONValue?, RuntimeError> {
        let joined = entries.withLock { entries in
            guard entries[meta] != nil else { return false }
            entries[meta]!.sockets[ObjectIdentifier(socket)] = socket
            return true
        }
        if joined {
            return engine.resolve(system: meta.system, name: meta.module, index: meta.index).map { module in
                engine.status.value(module: module, key: meta.name)
            }
        }
        let result = engine.subscribe(system: meta.system, name: meta.module, index: meta.index, key: meta.name) { [weak self] value in
            self?.publish(meta, value)
        }
        switch result {
        case .failure(let error):
            return .failure(error)
        case .success(let (token, value)):
            let duplicate: Bool = entries.withLock { entries in
                if entries[meta] != nil {
                    entries[meta]!.sockets[ObjectIdentifier(socket)] = socket
                    return true
                }
                entries[meta] = Entry(token: token, sockets: [ObjectIdentifier(socket): socket])
                return false
            }
            if duplicate { engine.unsubscribe(token) }
            return .success(value)
        }
    }

    func unbind(_ meta: ControlMeta, socket: WebSocket) {
        let token: Int? = entries.withLock { entries in
            guard entries[meta] != nil else { return nil }
            entries[meta]!.sockets[ObjectIdentifier(socket)] = nil
            guard entries[meta]!.sockets.isEmpty else { return nil }
            return entries.removeValue(forKey: meta)?.token
        }
        if let token { engine.unsubscribe(token) }
    }

    /// How many distinct bindings are live (for tests and metrics).
    var count: Int { entries.withLock { $0.count } }

    private func publish(_ meta: ControlMeta, _ value: JSONValue) {
        let sockets = entries.withLock { $0[meta].map { Array($0.sockets.values) } ?? [] }
        guard !sockets.isEmpty else { return }
        WebSocket.broadcast(text: ControlResponse.notify(meta: meta, value: value), to: sockets)
    }
}
