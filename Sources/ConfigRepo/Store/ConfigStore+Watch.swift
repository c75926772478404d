import Foundation

extension ConfigStore {
    /// Calls `handler(old, new, changedPaths)` for every new head of the tracked branch,
    /// whoever made it: this store, another process, `git commit` in the working tree, or
    /// `git push` into the repository. Polls the branch every `interval` (and at once after a
    /// commit by this store) from a dedicated thread, and calls the handler on that thread,
    /// one event at a time, in order.
    ///
    /// Several heads made within one interval arrive as one event from the old head to the
    /// newest, listing every path changed between them. `old` is nil when the branch did
    /// not exist. Keep the token; the watcher runs until it is cancelled.
    public func watch(interval: Duration = .milliseconds(200),
                      _ handler: @escaping @Sendable (ObjectID?, ObjectID, [String]) -> Void) -> WatchToken {
        let token = WatchToken()
        let references = self.references
        let objects = self.objects
        let referenceName = self.referenceName
        let start = head()
        let (seconds, attoseconds) = interval.components
        let pause = max(0.001, Double(seconds) + Double(attoseconds) / 1e18)
        let signal = headMoved
        let thread = Thread {
            var last = start
            var seen = signal.current
            while !token.isCancelled {
                seen = signal.wait(after: seen, timeout: pause)
                guard !token.isCancelled else { break }
                // A transient failure (a ref being rewritten, a pack being replaced) is
                // simply retried at the next poll; `last` only moves once an event is sent.
                guard let current = try? references.target(of: referenceName), current != last,
                      let newTree = try? objects.treeID(ofCommit: current) else { continue }
                let oldTree = last.flatMap { try? objects.treeID(ofCommit: $0) }
                guard let paths = try? objects.changedPaths(from: oldTree, to: newTree) else { continue }
                handler(last, current, paths)
                last = current
            }
        }
        thread.name = "ConfigStore watcher"
        thread.start()
        return token
    }
}
