/// Why a store operation failed.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// A write was based on a stale version of `path`; `current` is the blob id at the branch
    /// head (nil: the file does not exist). Nothing was written.
    case conflict(path: String, expected: ExpectedVersion, current: ObjectID?)
    /// A revert would conflict with later changes to these paths. Nothing was written.
    case revertConflict(paths: [String])
    /// Merging a branch would conflict: both sides changed the same lines of these paths.
    /// Nothing was written.
    case mergeConflict(paths: [String])
    /// A path is empty, absolute, has empty, `.` or `..` components, names `.git`, names a
    /// directory, or appears twice in one change set.
    case invalidPath(String)
    /// The branch has no commit yet, or a revision does not name a commit.
    case notFound(String)
    /// The target directory of `create` exists and is not empty.
    case notEmpty(String)
    /// The branch kept moving under us (or stayed locked) for this many attempts.
    case tooManyRetries(Int)
    /// A libgit2 call failed.
    case git(GitError)
    /// A filesystem operation failed (reading the source directory of `create`, packing).
    case io(path: String, message: String)
    /// The caller's transform rejected a file.
    case transformFailed(path: String, message: String)

    public var description: String {
        switch self {
        case let .conflict(path, expected, current):
            return "conflict on \(path): expected \(expected), current \(current?.hex ?? "absent")"
        case let .revertConflict(paths):
            return "revert conflicts with later changes to: \(paths.joined(separator: ", "))"
        case let .mergeConflict(paths):
            return "the merge conflicts in: \(paths.joined(separator: ", "))"
        case let .invalidPath(path): return "invalid path \"\(path)\""
        case let .notFound(what): return "not found: \(what)"
        case let .notEmpty(path): return "\(path) exists and is not empty"
        case let .tooManyRetries(count): return "the branch kept moving or stayed locked: gave up after \(count) attempts"
        case let .git(error): return error.description
        case let .io(path, message): return "\(path): \(message)"
        case let .transformFailed(path, message): return "\(path): \(message)"
        }
    }
}

extension StoreError {
    /// Wraps any error met inside the store: a `StoreError` passes through, a `GitError`
    /// becomes `.git`.
    init(_ error: any Error) {
        switch error {
        case let error as StoreError: self = error
        case let error as GitError: self = .git(error)
        default: self = .io(path: "", message: "\(error)")
        }
    }
}
