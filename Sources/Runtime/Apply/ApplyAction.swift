/// One thing the runtime does to apply a new snapshot.
public enum ApplyAction: Sendable, Hashable {
    /// Start a module that was not running.
    case start(String)
    /// Stop a running module (deleted or `running: false`).
    case stop(String)
    /// Its executable or driver changed: stop it in the old process, start it in the new one.
    case restart(String)
    /// A connection field changed: `update`, and the driver reconnects (driver protocol §3).
    case reconnect(String)
    /// Only the merged settings (or name, notes) changed: `update`.
    case update(String)
    /// A system's `Name_index` lookups changed: bindings and subscriptions move.
    case remap(system: String)
}
