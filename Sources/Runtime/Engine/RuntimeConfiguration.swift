import Metrics

/// How a `RuntimeEngine` runs.
public struct RuntimeConfiguration: Sendable {
    /// Where the status snapshot lives (`<dir>/modules.json`); nil keeps status in memory only.
    public var statusDirectory: String?
    /// How often the status snapshot is written (when something changed).
    public var statusSaveInterval: Double = 30
    public var timing = DriverHostTiming()
    public var resolver: any DriverBinaryResolver
    /// Where the runtime records its metrics (MQTT published and dropped, …).
    public var metrics = MetricsRegistry()
    /// The MQTT publisher's queue and shutdown flush.
    public var mqtt = MQTTPublisher.Options()

    public init(statusDirectory: String? = nil, resolver: any DriverBinaryResolver = StandardDriverResolver()) {
        self.statusDirectory = statusDirectory
        self.resolver = resolver
    }
}
