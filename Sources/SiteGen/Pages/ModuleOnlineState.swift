import ConfigRepo

/// Where the site learns whether a module is online: the module list's state filter asks
/// only this. Until the runtime's live state is merged, a module counts as online when it is
/// configured to run (`running`); the runtime will pass its own `isOnline`.
public struct ModuleOnlineState: Sendable {
    public let isOnline: @Sendable (ConfigDocument) -> Bool

    public init(isOnline: @escaping @Sendable (ConfigDocument) -> Bool) {
        self.isOnline = isOnline
    }

    /// The configured state: `running` (a module runs unless `running` is false).
    public static let configured = ModuleOnlineState { ModuleView($0).running }
}
