/// How far a fetch has come, as libgit2 reports it while the pack arrives.
public struct GitFetchProgress: Sendable, Hashable {
    /// Objects the remote is sending (0 until it says).
    public var totalObjects: Int = 0
    /// Objects received so far.
    public var receivedObjects: Int = 0
    /// Objects indexed (checked and stored) so far.
    public var indexedObjects: Int = 0
    /// Bytes received so far.
    public var receivedBytes: Int = 0

    public init() {}

    /// `received/total objects, N KiB`, or `connecting` before the remote said anything.
    public var summary: String {
        guard totalObjects > 0 else { return "connecting" }
        return "\(receivedObjects)/\(totalObjects) objects, \(receivedBytes / 1024) KiB"
    }
}
