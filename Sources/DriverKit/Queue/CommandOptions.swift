/// How one command is queued and sent (PlaceOS defaults).
public struct CommandOptions: Sendable {
    /// Higher is sent first; equal priorities go in order of arrival.
    public var priority: Int = 50
    /// A named command replaces a queued command of the same name, and survives going offline.
    public var name: String?
    /// How long to wait for a response per attempt.
    public var timeout: Duration = .seconds(5)
    /// Extra attempts after a timeout or a `.retry` verdict.
    public var retries: Int = 3
    /// When false the command completes as soon as it is written.
    public var waitForResponse: Bool = true
    /// Pause after this command completes before the next one is sent.
    public var delay: Duration = .zero

    public init(priority: Int = 50, name: String? = nil, timeout: Duration = .seconds(5), retries: Int = 3,
                waitForResponse: Bool = true, delay: Duration = .zero) {
        self.priority = priority
        self.name = name
        self.timeout = timeout
        self.retries = retries
        self.waitForResponse = waitForResponse
        self.delay = delay
    }
}
