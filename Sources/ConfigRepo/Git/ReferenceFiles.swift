import Foundation

/// The references of a git directory, read and moved as the git CLI does, without libgit2:
/// a loose file `refs/heads/main` holding the commit id (else a line of `packed-refs`), moved
/// under the lock file `refs/heads/main.lock` and logged in `logs/refs/heads/main`.
///
/// Both this process and the git CLI take the same lock file, so a compare-and-swap here and a
/// `git push` never both win.
struct ReferenceFiles: Sendable {
    /// The `.git` directory, with a trailing `/`.
    let gitDirectory: String
    /// Lock files are spare files, and replaced branch files become spares (nil: new files).
    var spares: SpareFiles?

    init(gitDirectory: String, spares: SpareFiles? = nil) {
        self.gitDirectory = gitDirectory
        self.spares = spares
    }

    /// The outcome of a compare-and-swap on a reference.
    enum Update: Equatable {
        /// The reference now points at the new commit.
        case updated
        /// Someone moved the reference first (or created a branch expected not to exist).
        case moved
        /// Another writer holds `<ref>.lock`.
        case locked
    }

    /// The id `name` (`refs/heads/main`) points at, or nil when it does not exist.
    func target(of name: String) throws(GitError) -> ObjectID? {
        if let bytes = Self.smallFile(gitDirectory + name) {
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.hasPrefix("ref: ") { return try target(of: String(text.dropFirst(5))) }
            guard let id = ObjectID(hex: text) else { throw GitError.corrupt("\(gitDirectory)\(name) holds no commit id", operation: "read \(name)") }
            return id
        }
        guard let packed = FileManager.default.contents(atPath: gitDirectory + "packed-refs") else { return nil }
        for line in String(decoding: packed, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("^") {
            let fields = line.split(separator: " ", maxSplits: 1)
            if fields.count == 2, fields[1] == name { return ObjectID(hex: String(fields[0])) }
        }
        return nil
    }

    /// The bytes of a file of at most 4 KiB (a loose reference), nil when there is none.
    private static func smallFile(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count >= 0 else { return nil }
        buffer.removeLast(buffer.count - count)
        return buffer
    }

    /// Points `name` at `new` only if it still points at `old` (nil: only if it does not
    /// exist), and logs the move for `committer`.
    func compareAndSwap(_ name: String, to new: ObjectID, from old: ObjectID?, committer: Signature,
                        logMessage: String) throws(GitError) -> Update {
        let path = gitDirectory + name
        let lockPath = path + ".lock"
        guard let (descriptor, previousSize) = try lock(lockPath) else { return .locked }
        var locked = true
        defer {
            if locked { drop(lockPath) }
            close(descriptor)
        }
        guard try target(of: name) == old else { return .moved }
        let line = Array((new.hex + "\n").utf8)
        let written = line.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        guard written == line.count, previousSize <= line.count || ftruncate(descriptor, off_t(line.count)) == 0,
              !GitLibrary.fsyncEnabled || fsync(descriptor) == 0 else { throw GitError.system(errno, "write \(lockPath)") }
        appendLog(name, from: old, to: new, committer: committer, message: logMessage)
        // The replaced branch file becomes a spare instead of a freed inode.
        if let spares { spares.keep(path) }
        guard rename(lockPath, path) == 0 else { throw GitError.system(errno, "move \(name)") }
        locked = false
        return .updated
    }

    /// Creates `lockPath` as git does (fails when it exists); with spares, by giving a spare
    /// that name with `link`, which fails the same way. Returns its descriptor and the size of
    /// what it holds (a spare is written over); nil when the lock is held.
    private func lock(_ lockPath: String) throws(GitError) -> (Int32, Int)? {
        guard let spares else {
            var descriptor = open(lockPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if descriptor < 0, errno == ENOENT {  // A new branch folder.
                try makeParent(of: lockPath)
                descriptor = open(lockPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            }
            if descriptor >= 0 { return (descriptor, 0) }
            if errno == EEXIST { return nil }
            throw GitError.system(errno, "lock \(lockPath)")
        }
        let taken = try spares.take()
        let (descriptor, spare) = (taken.descriptor, taken.path)
        var linked = link(spare, lockPath) == 0
        if !linked, errno == ENOENT {  // A new branch folder.
            try makeParent(of: lockPath)
            linked = link(spare, lockPath) == 0
        }
        guard linked else {
            let number = errno
            spares.giveBack(descriptor, path: spare)
            if number == EEXIST { return nil }
            throw GitError.system(number, "lock \(lockPath)")
        }
        unlink(spare)  // The lock file is now its only name.
        return (descriptor, taken.size)
    }

    /// Removes a lock file of ours that was not moved into place.
    private func drop(_ lockPath: String) {
        if let spares { spares.retire(lockPath) } else { unlink(lockPath) }
    }

    /// Appends `<old> <new> <who> <when>\t<message>` to the reference's log. A log that
    /// cannot be written does not stop the move (git treats it the same way).
    private func appendLog(_ name: String, from old: ObjectID?, to new: ObjectID, committer: Signature, message: String) {
        guard let who = try? committer.gitLine() else { return }
        let path = gitDirectory + "logs/" + name
        var descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        if descriptor < 0, errno == ENOENT, (try? makeParent(of: path)) != nil {
            descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        }
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let oneLine = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let entry = Array("\(old?.hex ?? String(repeating: "0", count: 40)) \(new.hex) \(who)\t\(oneLine)\n".utf8)
        _ = entry.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    private func makeParent(of path: String) throws(GitError) {
        let parent = (path as NSString).deletingLastPathComponent
        guard access(parent, F_OK) != 0 else { return }
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw GitError(code: -1, message: "\(error)", operation: "create \(parent)")
        }
    }
}
