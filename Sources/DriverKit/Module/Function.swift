/// A callable function of a driver: its declared shape and the code that runs it.
public struct Function<Module: DriverModule>: Sendable {
    public let spec: FunctionSpec
    let body: @DriverActor @Sendable (Module, Arguments) async throws -> JSON

    /// A function that returns a value to the caller.
    public init<Result: JSONConvertible>(_ name: String, description: String? = nil, args: [Argument] = [],
                                        security: Security? = nil,
                                        _ body: @escaping @DriverActor @Sendable (Module, Arguments) async throws -> Result) {
        spec = FunctionSpec(name: name, description: description, arguments: args, security: security)
        self.body = { module, arguments in try await body(module, arguments).json }
    }

    /// A function that returns nothing (the caller receives `null`).
    public init(_ name: String, description: String? = nil, args: [Argument] = [], security: Security? = nil,
                _ body: @escaping @DriverActor @Sendable (Module, Arguments) async throws -> Void) {
        spec = FunctionSpec(name: name, description: description, arguments: args, security: security)
        self.body = { module, arguments in try await body(module, arguments); return .null }
    }
}
