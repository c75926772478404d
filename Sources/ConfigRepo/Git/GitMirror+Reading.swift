import CGit2
import Foundation

/// The mirror's reads go through libgit2, which fetched it: references, commits, trees and
/// blobs by libgit2 id. (The configuration store reads its own repository with `ObjectReader`.)
extension GitMirror {
    /// The commit a reference points at (symbolic references followed), or nil when it does not exist.
    func referenceTarget(_ name: String) throws(GitError) -> ObjectID? {
        var oid = git_oid()
        let code = git_reference_name_to_id(&oid, repository.pointer, name)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try GitError.check(code, "read reference \(name)")
        return ObjectID(oid)
    }

    /// The root tree of a commit.
    func treeID(ofCommit id: git_oid) throws(GitError) -> git_oid {
        try repository.withCommit(ObjectID(id)) { commit throws(GitError) in git_commit_tree_id(commit).pointee }
    }

    /// Looks up a tree, passes it to `body` and frees it.
    func withTree<T>(_ id: git_oid, _ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        var id = id
        var tree: OpaquePointer?
        try GitError.check(git_tree_lookup(&tree, repository.pointer, &id), "look up tree \(ObjectID(id))")
        defer { git_tree_free(tree) }
        return try body(tree!)
    }

    /// The entry at `path` (slash-separated) under a tree: its id and whether it is a blob; nil
    /// when there is none.
    func entry(inTree tree: git_oid, path: String) throws(GitError) -> (id: git_oid, isBlob: Bool)? {
        try withTree(tree) { tree throws(GitError) -> (id: git_oid, isBlob: Bool)? in
            var entry: OpaquePointer?
            let code = git_tree_entry_bypath(&entry, tree, path)
            if code == GIT_ENOTFOUND.rawValue { return nil }
            try GitError.check(code, "look up \(path)")
            defer { git_tree_entry_free(entry) }
            let mode = git_tree_entry_filemode(entry)
            return (git_tree_entry_id(entry).pointee, mode != GIT_FILEMODE_TREE && mode != GIT_FILEMODE_COMMIT)
        }
    }

    /// The bytes of an object (normally a blob).
    func readBytes(_ id: git_oid) throws(GitError) -> [UInt8] {
        var id = id
        var object: OpaquePointer?
        try GitError.check(git_odb_read(&object, try repository.odb(), &id), "read object \(ObjectID(id))")
        defer { git_odb_object_free(object) }
        let size = git_odb_object_size(object)
        guard size > 0, let data = git_odb_object_data(object) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: data, count: size))
    }

    /// A commit's author as libgit2 read it, with the date.
    static func author(of commit: OpaquePointer) -> Signature {
        guard let signature = git_commit_author(commit) else { return Signature(name: "", email: "") }
        return Signature(name: String(cString: signature.pointee.name), email: String(cString: signature.pointee.email),
                         date: Date(timeIntervalSince1970: TimeInterval(signature.pointee.when.time)))
    }
}

extension git_oid {
    /// Whether two libgit2 ids are the same object.
    static func same(_ a: git_oid, _ b: git_oid) -> Bool {
        var a = a, b = b
        return git_oid_equal(&a, &b) != 0
    }
}
