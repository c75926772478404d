/// A command in a module's queue, as the driver sees it when a response arrives.
public struct QueuedCommand: Sendable {
    /// Unique per queue, increasing in order of arrival.
    public let id: Int
    public let payload: [UInt8]
    public let options: CommandOptions
    /// Free-form tag the driver attached to recognise the response (e.g. the PJLink command).
    public let tag: String?
    /// 1 for the first send, 2 for the first retry…
    public internal(set) var attempt: Int = 0
}
