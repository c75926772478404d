/// One file edit for ``ObjectBatch/applyEdits(to:_:)``: the path split into components,
/// and the new blob (nil deletes).
struct GitTreeEdit {
    var components: [Substring]
    var blob: ObjectID?
}

extension ObjectBatch {
    /// Adds the trees that result from applying `edits` to the tree `base` (nil: empty),
    /// bottom-up, and returns the new root tree id. Untouched subtrees are reused as they are;
    /// directories left empty disappear. Path components must already be valid names (no
    /// `/`, NUL, `.`, `..`).
    func applyEdits(to base: ObjectID?, _ edits: [GitTreeEdit]) throws(GitError) -> ObjectID {
        // The root is never nil: at depth 0 an empty result is written as the empty tree.
        try build(base: base, edits: edits[...], depth: 0)!
    }

    /// Builds one directory level; nil when the directory ends up empty.
    ///
    /// Rather than parsing and re-sorting every entry (a directory can hold 50,000 files),
    /// this copies the raw bytes of the old tree and splices the changed entries into their
    /// sorted places in one pass.
    private func build(base: ObjectID?, edits: ArraySlice<GitTreeEdit>, depth: Int) throws(GitError) -> ObjectID? {
        // The new entry (nil: removed) for every name touched at this level.
        var replacements: [String: RawTreeEntry?] = [:]
        var subdirectories: [String: [GitTreeEdit]] = [:]
        for edit in edits {
            let name = String(edit.components[depth])
            if edit.components.count == depth + 1 {
                // updateValue, not subscript: assigning nil through the subscript would drop the key.
                replacements.updateValue(edit.blob.map { RawTreeEntry(name: name, mode: RawTreeEntry.fileMode, id: $0) }, forKey: name)
            } else {
                subdirectories[name, default: []].append(edit)
            }
        }

        let baseTree = try base.map { id throws(GitError) in try GitTree(id, from: self) }
        var removals: [RawTreeEntry] = []
        for (name, replacement) in replacements {
            guard let old = try baseTree?.entry(named: Substring(name)) else { continue }
            removals.append(old)
            // A file keeps its executable or symlink mode when rewritten.
            if var replacement, old.mode == RawTreeEntry.executableMode || old.mode == RawTreeEntry.symlinkMode {
                replacement.mode = old.mode
                replacements[name] = replacement
            }
        }
        for (name, group) in subdirectories {
            let old = try baseTree?.entry(named: Substring(name))
            let oldTree = old.flatMap { $0.isTree ? $0.id : nil }
            if let subtree = try build(base: oldTree, edits: group[...], depth: depth + 1) {
                if let old { removals.append(old) }
                replacements[name] = RawTreeEntry(name: name, mode: RawTreeEntry.directoryMode, id: subtree)
            } else if let old, oldTree != nil {
                removals.append(old)  // The directory was emptied; a same-named file would stay.
            }
        }
        let insertions = replacements.values.compactMap { $0 }.sorted(by: RawTreeEntry.gitOrder)
        removals.sort(by: RawTreeEntry.gitOrder)

        var output: [UInt8] = []
        if let baseTree {
            output = baseTree.bytes.withUnsafeBytes { RawTreeEntry.splice($0, removing: removals, inserting: insertions) }
        } else {
            for entry in insertions { entry.append(to: &output) }
        }
        if output.isEmpty && depth > 0 { return nil }
        return add(.tree, output)
    }
}

extension RawTreeEntry {
    /// Copies a raw tree, dropping the entries in `removing` and placing those in
    /// `inserting` in order; both lists are sorted in git order.
    static func splice(_ raw: UnsafeRawBufferPointer, removing: [RawTreeEntry], inserting: [RawTreeEntry]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(raw.count + inserting.count * 64)
        var removals = removing.map { (Array($0.name.utf8), $0.isTree) }[...]
        var insertions = inserting[...]
        var position = 0
        while position < raw.count {
            let start = position
            var space = position
            while space < raw.count && raw[space] != UInt8(ascii: " ") { space += 1 }
            var nul = space + 1
            while nul < raw.count && raw[nul] != 0 { nul += 1 }
            let end = min(nul + 21, raw.count)
            let isTree = space - start == 5 && raw[start] == UInt8(ascii: "4")  // "40000"
            let name = UnsafeRawBufferPointer(rebasing: raw[(space + 1)..<nul])
            while let next = insertions.first, next.precedes(name, isTree) {
                next.append(to: &output)
                insertions.removeFirst()
            }
            if let removal = removals.first,
               removal.0.withUnsafeBytes({ compare($0, removal.1, name, isTree) }) == 0 {
                removals.removeFirst()
            } else {
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[start..<end]))
            }
            position = end
        }
        for entry in insertions { entry.append(to: &output) }
        return output
    }

    /// Whether this entry sorts before the raw entry `name`.
    private func precedes(_ name: UnsafeRawBufferPointer, _ isTree: Bool) -> Bool {
        var own = self.name
        return own.withUTF8 { Self.compare(UnsafeRawBufferPointer($0), self.isTree, name, isTree) < 0 }
    }
}
