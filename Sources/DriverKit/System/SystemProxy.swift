/// A logic module's view of its system: `system["Display_1"]` is another module.
@DriverActor
public final class SystemProxy {
    private unowned let context: ModuleContext

    init(context: ModuleContext) { self.context = context }

    /// The system this logic module belongs to.
    public var id: String? { context.config.controlSystemID }

    /// A module of the system by `Name_index` (`Display` means `Display_1`) or by module id.
    public subscript(target: String) -> RemoteModule { RemoteModule(target: target, context: context) }
}

/// Another module, reached through the core.
@DriverActor
public struct RemoteModule {
    public let target: String
    unowned let context: ModuleContext

    /// Calls `method` with positional arguments and returns its result.
    @discardableResult
    public func call(_ method: String, _ args: any JSONConvertible..., timeout: Duration? = nil) async throws -> JSON {
        try await call(method, arguments: .array(args.map(\.json)), timeout: timeout)
    }

    /// Calls `method` with named arguments.
    @discardableResult
    public func call(_ method: String, named args: [String: JSON], timeout: Duration? = nil) async throws -> JSON {
        try await call(method, arguments: .object(args), timeout: timeout)
    }

    private func call(_ method: String, arguments: JSON, timeout: Duration?) async throws -> JSON {
        guard let process = context.process else { throw DriverError.failed("not running in a driver process") }
        var message: [String: JSON] = ["type": "exec", "module": .string(context.id), "target": .string(target),
                                       "method": .string(method), "args": arguments]
        if let timeout { message["timeout_ms"] = .number(Double(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)) }
        context.logger.debug("exec \(target).\(method)(\(arguments.serialized))")
        return try await process.request(.object(message))
    }

    /// Watches status `key`; `handler` runs now with the current value (null when unset) and on
    /// every change until the subscription is cancelled or the module stops.
    @discardableResult
    public func subscribe(_ key: String, _ handler: @escaping @DriverActor (JSON) -> Void) async throws -> Subscription {
        guard let process = context.process else { throw DriverError.failed("not running in a driver process") }
        let reply = try await process.request(["type": "subscribe", "module": .string(context.id), "target": .string(target), "key": .string(key)])
        guard let number = reply["subscription"]?.intValue else {
            throw DriverError.failed("subscribe reply has no subscription number: \(reply.serialized)")
        }
        guard !context.stopped else {
            process.unsubscribe(number, module: context.id)
            throw DriverError(.offline, "the module stopped")
        }
        process.subscriptions[number] = handler
        context.subscriptionIDs.append(number)
        handler(reply["value"] ?? .null)
        return Subscription(number: number, module: context.id)
    }

    /// The current value of status `key` (one subscribe/unsubscribe round trip).
    public func status(_ key: String) async throws -> JSON {
        var current = JSON.null
        let subscription = try await subscribe(key) { current = $0 }
        subscription.cancel(in: context)
        return current
    }
}

/// A status subscription; `cancel` stops it.
public struct Subscription: Sendable, Hashable {
    public let number: Int
    public let module: String

    @DriverActor
    public func cancel(in context: ModuleContext) {
        context.subscriptionIDs.removeAll { $0 == number }
        context.process?.unsubscribe(number, module: module)
    }
}
