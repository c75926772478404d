import Foundation

extension ConfigStore {
    /// Creates a new non-bare repository at `path` whose first commit on `branch` holds
    /// every file under `sourceDirectory` (recursively; names starting with `.` are skipped),
    /// authored by `author`, then checks the files out so `git status` is clean.
    ///
    /// `receive.denyCurrentBranch` is set to `updateInstead`, so engineers can push to it.
    /// `transform(path, bytes)` may rewrite a file's bytes before they are committed (to
    /// encrypt secrets). Refuses a `path` that exists and is not empty. With no source
    /// directory the first commit has an empty tree.
    public static func create(at path: String, from sourceDirectory: String?, branch: String = "main",
                              author: Signature = .backoffice, message: String,
                              transform: ((String, [UInt8]) throws -> [UInt8])? = nil) throws(StoreError) -> ConfigStore {
        let fileManager = FileManager.default
        if let existing = try? fileManager.contentsOfDirectory(atPath: path), !existing.isEmpty {
            throw .notEmpty(path)
        }
        let sources = try sourceDirectory.map { directory throws(StoreError) in try listFiles(under: directory) } ?? []
        do {
            let repo = try GitRepository.create(at: path, branch: "refs/heads/\(branch)")
            try repo.setConfig("receive.denyCurrentBranch", "updateInstead")
            let objects = ObjectDatabase.of(gitDirectory: repo.gitDirectory, honouringGitEnvironment: false)
            let batch = ObjectBatch(database: objects)
            var edits: [GitTreeEdit] = []
            edits.reserveCapacity(sources.count)
            for relative in sources {
                let fullPath = sourceDirectory! + "/" + relative
                guard let data = fileManager.contents(atPath: fullPath) else {
                    throw StoreError.io(path: fullPath, message: "cannot read")
                }
                var bytes = [UInt8](data)
                if let transform {
                    do { bytes = try transform(relative, bytes) } catch {
                        throw StoreError.transformFailed(path: relative, message: "\(error)")
                    }
                }
                edits.append(GitTreeEdit(components: relative.split(separator: "/"), blob: batch.add(.blob, bytes)))
            }
            // The whole first commit is one pack.
            let tree = try batch.applyEdits(to: nil, edits)
            var author = author
            author.date = author.date ?? Date()
            let commit = batch.add(.commit, try GitCommit(tree: tree, parents: [], author: author, committer: author,
                                                          message: message).serialized())
            try batch.flush(deflater: Deflater())
            let references = ReferenceFiles(gitDirectory: repo.gitDirectory)
            guard try references.compareAndSwap("refs/heads/\(branch)", to: commit, from: nil, committer: author,
                                                logMessage: "commit (initial): \(message)") == .updated else {
                throw StoreError.tooManyRetries(1)
            }
            try repo.checkoutInitial(tree: tree)
        } catch {
            throw StoreError(error)
        }
        return try ConfigStore(path: path, branch: branch)
    }

    /// Relative paths of the regular files under `directory`, skipping dot-names, sorted.
    private static func listFiles(under directory: String) throws(StoreError) -> [String] {
        let fileManager = FileManager.default
        var result: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let absolute = relative.isEmpty ? directory : directory + "/" + relative
            let names: [String]
            do { names = try fileManager.contentsOfDirectory(atPath: absolute) } catch {
                throw .io(path: absolute, message: "\(error)")
            }
            for name in names where !name.hasPrefix(".") {
                let child = relative.isEmpty ? name : relative + "/" + name
                var isDirectory: ObjCBool = false
                guard fileManager.fileExists(atPath: directory + "/" + child, isDirectory: &isDirectory) else { continue }
                if isDirectory.boolValue { pending.append(child) } else { result.append(child) }
            }
        }
        return result.sorted()
    }
}
