/// A commit object: its tree, parents, author, committer and message, read from or written
/// as git's text form (`tree …`, `parent …`, `author …`, `committer …`, a blank line, the
/// message).
struct GitCommit {
    var tree: ObjectID
    var parents: [ObjectID]
    var author: Signature
    var committer: Signature
    var message: String

    init(tree: ObjectID, parents: [ObjectID], author: Signature, committer: Signature, message: String) {
        self.tree = tree
        self.parents = parents
        self.author = author
        self.committer = committer
        self.message = message
    }

    /// Reads commit `id`.
    init(_ id: ObjectID, from reader: some ObjectReader) throws(GitError) {
        let object = try reader.read(id)
        guard object.type == .commit else { throw GitError.corrupt("\(id.hex) is a \(object.type.name), not a commit") }
        let text = String(decoding: object.bytes, as: UTF8.self)
        var tree: ObjectID?
        var parents: [ObjectID] = []
        var author: Signature?
        var committer: Signature?
        var rest = Substring(text)
        // Headers up to the first empty line; a line starting with a space continues the
        // previous header (a signature block) and is skipped.
        while let newline = rest.firstIndex(of: "\n") {
            let line = rest[..<newline]
            rest = rest[rest.index(after: newline)...]
            if line.isEmpty { break }
            guard let space = line.firstIndex(of: " ") else { continue }
            let value = line[line.index(after: space)...]
            switch line[..<space] {
            case "tree": tree = ObjectID(hex: String(value))
            case "parent": if let parent = ObjectID(hex: String(value)) { parents.append(parent) }
            case "author": author = Signature(gitLine: value)
            case "committer": committer = Signature(gitLine: value)
            default: continue
            }
        }
        guard let tree, let author else { throw GitError.corrupt("commit \(id.hex) has no tree or author") }
        self.init(tree: tree, parents: parents, author: author, committer: committer ?? author, message: String(rest))
    }

    /// The commit's text, as git hashes and stores it.
    func serialized() throws(GitError) -> [UInt8] {
        var text = "tree \(tree.hex)\n"
        for parent in parents { text += "parent \(parent.hex)\n" }
        text += "author \(try author.gitLine())\ncommitter \(try committer.gitLine())\n\n"
        text += message
        return Array(text.utf8)
    }
}

extension GitCommit {
    /// A commit's tree and first parent, read from the first header lines only (no
    /// signature or message is decoded).
    static func treeAndFirstParent(_ id: ObjectID, from reader: some ObjectReader) throws(GitError) -> (tree: ObjectID, parent: ObjectID?) {
        let object = try reader.read(id)
        guard object.type == .commit else { throw GitError.corrupt("\(id.hex) is a \(object.type.name), not a commit") }
        return try object.bytes.withGitBytes { (raw: UnsafeRawBufferPointer) throws(GitError) in
            // "tree <40 hex>\n" then optionally "parent <40 hex>\n".
            func hexID(after prefix: String, at offset: Int) -> ObjectID? {
                let prefixBytes = Array(prefix.utf8)
                let end = offset + prefixBytes.count + 40
                guard end < raw.count, raw[end] == UInt8(ascii: "\n"),
                      prefixBytes.indices.allSatisfy({ raw[offset + $0] == prefixBytes[$0] }) else { return nil }
                return ObjectID(hex: String(decoding: UnsafeRawBufferPointer(rebasing: raw[(offset + prefixBytes.count)..<end]), as: UTF8.self))
            }
            guard let tree = hexID(after: "tree ", at: 0) else { throw GitError.corrupt("commit \(id.hex) does not start with its tree") }
            return (tree, hexID(after: "parent ", at: 46))
        }
    }
}

extension ObjectReader {
    /// The root tree of a commit.
    func treeID(ofCommit id: ObjectID) throws(GitError) -> ObjectID {
        try GitCommit.treeAndFirstParent(id, from: self).tree
    }

    /// A commit's id, author, message and parents.
    func commitInfo(_ id: ObjectID) throws(GitError) -> CommitInfo {
        let commit = try GitCommit(id, from: self)
        return CommitInfo(id: id, author: commit.author, message: commit.message, parents: commit.parents)
    }
}
