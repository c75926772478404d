import ConfigRepo

/// The objects of one REST resource at one commit, in id order, each with the words `q` can
/// match already cut and lowercased (docs/rest-api.md#search). An index search then tests each
/// object with a byte search per query word instead of lowercasing and scanning its fields, and
/// needs no sort.
///
/// Built once per commit from the previous commit's index: an object whose file did not change
/// (same blob) keeps its words, and the id order is kept, new objects inserted where they sort.
struct WordIndex: Sendable {
    /// One object and its words.
    struct Entry: Sendable {
        let document: ConfigDocument
        /// Every word of the id and the searched fields, lowercased, each preceded by a 0 byte:
        /// a query word starts one of them exactly when `0 + word` occurs here (query words hold
        /// no 0 byte and no separator).
        let words: [UInt8]
    }

    let commit: ObjectID?
    /// Every object of the resource, sorted by id.
    let entries: [Entry]
    private let positions: [String: Int]

    /// The index of `resource` in `snapshot`, reusing what it can of `previous`.
    init(_ resource: RESTResource, in snapshot: Snapshot, previous: WordIndex?) {
        commit = snapshot.commit
        let fields = resource.searched
        var entries: [Entry] = []
        entries.reserveCapacity(snapshot.count(resource.kind))
        var kept = Set<String>()
        if let previous {
            // Objects still there, in the order they had; words reused when the file is unchanged.
            for entry in previous.entries {
                guard let document = snapshot.document(resource.kind, entry.document.id) else { continue }
                kept.insert(document.id)
                let unchanged = document.version != nil && document.version == entry.document.version
                entries.append(Entry(document: document, words: unchanged ? entry.words : Self.words(of: document, fields: fields)))
            }
        }
        let added = snapshot.unordered(resource.kind).filter { resource.owns($0.id) && !kept.contains($0.id) }
        if previous == nil || added.count > 64 {
            entries += added.map { Entry(document: $0, words: Self.words(of: $0, fields: fields)) }
            entries.sort { $0.document.id < $1.document.id }
        } else {
            for document in added {
                let at = Self.insertionPoint(of: document.id, in: entries)
                entries.insert(Entry(document: document, words: Self.words(of: document, fields: fields)), at: at)
            }
        }
        self.entries = entries
        var positions: [String: Int] = [:]
        positions.reserveCapacity(entries.count)
        for (position, entry) in entries.enumerated() { positions[entry.document.id] = position }
        self.positions = positions
    }

    /// The entry of the object with `id`, if the resource has it.
    func entry(_ id: String) -> Entry? { positions[id].map { entries[$0] } }

    /// The words of `document` as `Entry.words` holds them: its id's and its `fields`' (strings,
    /// or lists of strings), cut where `IndexQuery` cuts the query.
    static func words(of document: ConfigDocument, fields: [String]) -> [UInt8] {
        var texts = [document.id]
        for field in fields {
            switch document[field] {
            case .string(let text)?: texts.append(text)
            case .array(let items)?: texts += items.compactMap(\.stringValue)
            default: break
            }
        }
        var bytes: [UInt8] = []
        for text in texts {
            for word in IndexQuery.words(of: text) {
                bytes.append(0)
                bytes += word.utf8
            }
        }
        return bytes
    }

    /// Whether every one of `needles` (`0 + word`, from `needles(for:)`) occurs in `entry`'s words.
    static func matches(_ entry: Entry, _ needles: [[UInt8]]) -> Bool {
        entry.words.withUnsafeBytes { haystack in
            needles.allSatisfy { needle in needle.withUnsafeBytes { occurs($0, in: haystack) } }
        }
    }

    /// Whether `needle` (which starts with the 0 byte) occurs in `haystack`: tried only where a
    /// word starts, which is all a query word can match.
    private static func occurs(_ needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer) -> Bool {
        let length = needle.count
        guard length <= haystack.count else { return false }
        var start = 0
        while start <= haystack.count - length {
            if haystack[start] == 0 {
                var matched = 1
                while matched < length && haystack[start + matched] == needle[matched] { matched += 1 }
                if matched == length { return true }
                start += matched
            } else {
                start += 1
            }
        }
        return false
    }

    /// The byte strings `matches` looks for: each query word preceded by a 0 byte.
    static func needles(for words: [String]) -> [[UInt8]] {
        words.map { [0] + Array($0.utf8) }
    }

    private static func insertionPoint(of id: String, in entries: [Entry]) -> Int {
        var low = 0, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].document.id < id { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
