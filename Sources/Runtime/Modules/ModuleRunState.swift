/// Where a module is in its life on this node.
public enum ModuleRunState: Sendable, Hashable {
    /// Not configured to run (`running: false`) or not in the configuration.
    case stopped
    /// `start` sent (or waiting for its process to be ready or restarted).
    case starting
    /// `start` succeeded; exec goes to the driver.
    case running
    /// `start` failed or the module cannot be started (no binary, unreadable settings).
    case failed(String)

    /// `stopped`, `starting`, `running` or `failed`.
    public var name: String {
        switch self {
        case .stopped: "stopped"
        case .starting: "starting"
        case .running: "running"
        case .failed: "failed"
        }
    }

    /// The failure message, if any.
    public var error: String? {
        if case .failed(let message) = self { return message }
        return nil
    }
}
