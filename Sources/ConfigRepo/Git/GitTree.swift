/// One entry of a tree object: `<octal mode> <name>\0<20-byte id>`.
struct RawTreeEntry: Sendable {
    var name: String
    var mode: UInt32
    var id: ObjectID

    static let directoryMode: UInt32 = 0o40000
    static let fileMode: UInt32 = 0o100644
    static let executableMode: UInt32 = 0o100755
    static let symlinkMode: UInt32 = 0o120000
    static let submoduleMode: UInt32 = 0o160000

    var isTree: Bool { mode == Self.directoryMode }
    /// A file or symlink (not a directory or a submodule commit).
    var isBlob: Bool { !isTree && mode != Self.submoduleMode }
    /// A plain (non-executable) file.
    var isPlainFile: Bool { mode == Self.fileMode }

    /// Git's tree order: by name bytes, a directory compared as if its name ended in `/`.
    static func gitOrder(_ lhs: RawTreeEntry, _ rhs: RawTreeEntry) -> Bool {
        var lhsName = lhs.name, rhsName = rhs.name
        return lhsName.withUTF8 { l in
            rhsName.withUTF8 { r in compare(UnsafeRawBufferPointer(l), lhs.isTree, UnsafeRawBufferPointer(r), rhs.isTree) < 0 }
        }
    }

    /// Compares two names in git's tree order.
    static func compare(_ lhs: UnsafeRawBufferPointer, _ lhsIsTree: Bool, _ rhs: UnsafeRawBufferPointer, _ rhsIsTree: Bool) -> Int {
        let common = min(lhs.count, rhs.count)
        if common > 0 {
            let result = memcmp(lhs.baseAddress!, rhs.baseAddress!, common)
            if result != 0 { return Int(result) }
        }
        let lhsNext: UInt8 = lhs.count > common ? lhs[common] : (lhsIsTree ? UInt8(ascii: "/") : 0)
        let rhsNext: UInt8 = rhs.count > common ? rhs[common] : (rhsIsTree ? UInt8(ascii: "/") : 0)
        return Int(lhsNext) - Int(rhsNext)
    }

    /// Appends this entry in raw form.
    func append(to output: inout [UInt8]) {
        output.append(contentsOf: String(mode, radix: 8).utf8)
        output.append(UInt8(ascii: " "))
        output.append(contentsOf: name.utf8)
        output.append(0)
        id.append(to: &output)
    }
}

/// The entries of a tree object, read from its raw bytes in place.
struct GitTree {
    let bytes: [UInt8]
    /// The tree's id, for error messages.
    let id: ObjectID

    /// Reads tree `id`; throws when it is missing or not a tree.
    init(_ id: ObjectID, from reader: some ObjectReader) throws(GitError) {
        let object = try reader.read(id)
        guard object.type == .tree else { throw GitError.corrupt("\(id.hex) is a \(object.type.name), not a tree") }
        self.id = id
        bytes = object.bytes
    }

    /// A tree from bytes already read.
    init(bytes: [UInt8], id: ObjectID) {
        self.bytes = bytes
        self.id = id
    }

    /// Calls `body(mode, name bytes, id)` for each entry in order; `body` returns false to stop.
    func forEach(_ body: (UInt32, UnsafeRawBufferPointer, ObjectID) throws(GitError) -> Bool) throws(GitError) {
        try bytes.withGitBytes({ (raw: UnsafeRawBufferPointer) throws(GitError) in
            var position = 0
            while position < raw.count {
                var mode: UInt32 = 0
                while position < raw.count && raw[position] != UInt8(ascii: " ") {
                    mode = mode &* 8 &+ UInt32(raw[position] &- UInt8(ascii: "0"))
                    position += 1
                }
                let nameStart = position + 1
                var nul = nameStart
                while nul < raw.count && raw[nul] != 0 { nul += 1 }
                guard nul + 21 <= raw.count else { throw GitError.corrupt("tree \(id.hex) is truncated") }
                let name = UnsafeRawBufferPointer(rebasing: raw[nameStart..<nul])
                let entryID = ObjectID(bytes: UnsafeRawBufferPointer(rebasing: raw[(nul + 1)..<(nul + 21)]))
                position = nul + 21
                guard try body(mode, name, entryID) else { return }
            }
        })
    }

    /// One side of a difference between two trees: an entry's mode and id.
    struct Side {
        var mode: UInt32
        var id: ObjectID
        var isTree: Bool { mode == RawTreeEntry.directoryMode }
        var isBlob: Bool { !isTree && mode != RawTreeEntry.submoduleMode }
    }

    /// Calls `body(name, old, new)` for every entry that differs between `old` and `new`
    /// (nil: the empty tree) in id or mode, or exists on one side only (a file and a folder of
    /// the same name are two entries). Walks both raw trees in step, so unchanged entries cost
    /// a byte comparison and no allocation.
    static func differences(_ old: GitTree?, _ new: GitTree?,
                            _ body: (UnsafeRawBufferPointer, Side?, Side?) throws(GitError) -> Void) throws(GitError) {
        try (old?.bytes ?? []).withGitBytes { (before: UnsafeRawBufferPointer) throws(GitError) in
            try (new?.bytes ?? []).withGitBytes { (after: UnsafeRawBufferPointer) throws(GitError) in
                var left = Cursor(raw: before), right = Cursor(raw: after)
                try left.advance(old?.id)
                try right.advance(new?.id)
                while left.entry != nil || right.entry != nil {
                    let order: Int
                    switch (left.entry, right.entry) {
                    case let (l?, r?): order = RawTreeEntry.compare(l.name, l.side.isTree, r.name, r.side.isTree)
                    case (nil, _): order = 1
                    case (_, nil): order = -1
                    }
                    if order < 0 {
                        try body(left.entry!.name, left.entry!.side, nil)
                        try left.advance(old?.id)
                    } else if order > 0 {
                        try body(right.entry!.name, nil, right.entry!.side)
                        try right.advance(new?.id)
                    } else {
                        let (l, r) = (left.entry!, right.entry!)
                        if l.side.id != r.side.id || l.side.mode != r.side.mode { try body(r.name, l.side, r.side) }
                        try left.advance(old?.id)
                        try right.advance(new?.id)
                    }
                }
            }
        }
    }

    /// Reads a raw tree entry by entry.
    private struct Cursor {
        let raw: UnsafeRawBufferPointer
        var position = 0
        var entry: (name: UnsafeRawBufferPointer, side: Side)?

        init(raw: UnsafeRawBufferPointer) {
            self.raw = raw
        }

        mutating func advance(_ tree: ObjectID?) throws(GitError) {
            guard position < raw.count else {
                entry = nil
                return
            }
            var mode: UInt32 = 0
            while position < raw.count && raw[position] != UInt8(ascii: " ") {
                mode = mode &* 8 &+ UInt32(raw[position] &- UInt8(ascii: "0"))
                position += 1
            }
            let nameStart = position + 1
            var nul = nameStart
            while nul < raw.count && raw[nul] != 0 { nul += 1 }
            guard nul + 21 <= raw.count else { throw GitError.corrupt("tree \(tree?.hex ?? "") is truncated") }
            let id = ObjectID(bytes: UnsafeRawBufferPointer(rebasing: raw[(nul + 1)..<(nul + 21)]))
            entry = (UnsafeRawBufferPointer(rebasing: raw[nameStart..<nul]), Side(mode: mode, id: id))
            position = nul + 21
        }
    }

    /// Every entry, in tree order.
    func entries() throws(GitError) -> [RawTreeEntry] {
        var result: [RawTreeEntry] = []
        try forEach { mode, name, id in
            result.append(RawTreeEntry(name: String(decoding: name, as: UTF8.self), mode: mode, id: id))
            return true
        }
        return result
    }

    /// The entry called `name`, if any.
    func entry(named name: Substring) throws(GitError) -> RawTreeEntry? {
        var found: RawTreeEntry?
        try Array(name.utf8).withGitBytes({ (target: UnsafeRawBufferPointer) throws(GitError) in
            try forEach { mode, entryName, id in
                guard entryName.count == target.count,
                      target.count == 0 || memcmp(entryName.baseAddress!, target.baseAddress!, target.count) == 0 else { return true }
                found = RawTreeEntry(name: String(name), mode: mode, id: id)
                return false
            }
        })
        return found
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
