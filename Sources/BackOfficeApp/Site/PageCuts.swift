#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import WebServer

/// A pre-rendered page cut, once, at the places the server fills per request — the notices,
/// a reader's settings block, user panel, trigger instances and Operate panel, and the live marks (`LiveMarks`) — so serving it
/// copies bytes between the holes instead of searching the whole page on every request (a
/// 20 MB description once cost each view of its page 5 s). Cut again only when the file changes
/// (`PageCutCache`).
struct PageCuts: Sendable {
    /// What fills a hole; nothing keeps the page's own bytes there.
    enum Hole: Sendable, Equatable {
        case notices, settings, userPanel, triggerPanel, operatePanel, counts
        /// A broker's live connection state (`BrokerStatePanel`).
        case brokerState
        /// The class after `data-module="ID" class="dot `.
        case dot(String)
        /// The words of `data-module-text="ID">`.
        case dotText(String)
        /// After `<a href="/backoffice/systems/ID/" class="room-link` (appended, so empty).
        case room(String)
    }

    /// A run of the page's bytes, or a hole (with the bytes it replaces).
    struct Piece: Sendable {
        var range: Range<Int>
        var hole: Hole?
    }

    /// What one request puts in the holes.
    struct Fill {
        var notices: String?
        var settings: String?
        var userPanel: String?
        var brokerState: String?
        var triggerPanel: String?
        var operatePanel: String?
        var live: LiveMarks.Source?
    }

    let bytes: [UInt8]
    let pieces: [Piece]

    /// Whether the page has any live mark (a page without one is served as the file).
    var hasLiveMarks: Bool {
        pieces.contains { piece in
            switch piece.hole {
            case .dot, .dotText, .room, .counts: true
            default: false
            }
        }
    }

    func has(_ hole: Hole) -> Bool { pieces.contains { $0.hole == hole } }

    /// The page with `fill` put in; what `fill` leaves out keeps the page's bytes.
    func assemble(_ fill: Fill) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 1024)
        for piece in pieces {
            guard let hole = piece.hole, let text = value(hole, fill) else {
                out.append(contentsOf: bytes[piece.range])
                continue
            }
            out.append(contentsOf: text.utf8)
        }
        return out
    }

    private func value(_ hole: Hole, _ fill: Fill) -> String? {
        switch hole {
        case .notices: fill.notices
        case .settings: fill.settings
        case .userPanel: fill.userPanel
        case .brokerState: fill.brokerState
        case .triggerPanel: fill.triggerPanel
        case .operatePanel: fill.operatePanel
        case .counts: fill.live.map { LiveMarks.countsHTML($0.counts()) }
        case .dot(let id): fill.live.map { LiveMarks.escape($0.dot(id).dot) }
        case .dotText(let id): fill.live.map { escapeHTML($0.dot(id).text) }
        case .room(let id): fill.live.map { " room-" + LiveMarks.escape($0.room(id)) }
        }
    }

    // MARK: - Cutting

    private static let markers: [(bytes: [UInt8], hole: Hole)] = [
        (Array("<!--notices-->".utf8), .notices), (Array("<!--settings-->".utf8), .settings),
        (Array("<!--user-panel-->".utf8), .userPanel), (Array("<!--trigger-instances-->".utf8), .triggerPanel),
        (Array(LiveMarks.countsMarker.utf8), .counts), (Array("<!--broker-state-->".utf8), .brokerState),
        (Array("<!--operate-->".utf8), .operatePanel),
    ]
    private static let dotPrefix = Array(#"data-module=""#.utf8)
    private static let dotThen = Array(#"" class="dot "#.utf8)
    private static let textPrefix = Array(#"data-module-text=""#.utf8)
    private static let textThen = Array(#"">"#.utf8)
    private static let roomPrefix = Array(#"<a href="/backoffice/systems/"#.utf8)
    private static let roomThen = Array(#"/" class="room-link"#.utf8)

    /// Cuts a page in one pass. Each marker comment counts once (its first place); live marks
    /// count wherever they have their exact shape (ids of letters, digits, `-`, `_`, `.`).
    static func cut(_ bytes: [UInt8]) -> PageCuts {
        var pieces: [Piece] = []
        var seen: Set<String> = []
        var runStart = 0
        var index = 0
        func hole(_ range: Range<Int>, _ hole: Hole) {
            if runStart < range.lowerBound { pieces.append(Piece(range: runStart..<range.lowerBound, hole: nil)) }
            pieces.append(Piece(range: range, hole: hole))
            runStart = range.upperBound
        }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "<") || byte == UInt8(ascii: "d") else {
                index += 1
                continue
            }
            if byte == UInt8(ascii: "<") {
                if let marker = markers.first(where: { has($0.bytes, in: bytes, at: index) }), seen.insert("\(marker.hole)").inserted {
                    hole(index..<index + marker.bytes.count, marker.hole)
                    index += marker.bytes.count
                    continue
                }
                if has(roomPrefix, in: bytes, at: index), let (id, end) = identifier(in: bytes, from: index + roomPrefix.count, until: UInt8(ascii: "/")),
                   has(roomThen, in: bytes, at: end) {
                    let after = end + roomThen.count
                    hole(after..<after, .room(id))
                    index = after
                    continue
                }
            } else if has(textPrefix, in: bytes, at: index),
                      let (id, end) = identifier(in: bytes, from: index + textPrefix.count, until: UInt8(ascii: "\"")),
                      has(textThen, in: bytes, at: end), let close = firstIndex(of: UInt8(ascii: "<"), in: bytes, from: end + textThen.count) {
                hole(end + textThen.count..<close, .dotText(id))
                index = close
                continue
            } else if has(dotPrefix, in: bytes, at: index),
                      let (id, end) = identifier(in: bytes, from: index + dotPrefix.count, until: UInt8(ascii: "\"")),
                      has(dotThen, in: bytes, at: end), let close = firstIndex(of: UInt8(ascii: "\""), in: bytes, from: end + dotThen.count) {
                hole(end + dotThen.count..<close, .dot(id))
                index = close
                continue
            }
            index += 1
        }
        if runStart < bytes.count { pieces.append(Piece(range: runStart..<bytes.count, hole: nil)) }
        return PageCuts(bytes: bytes, pieces: pieces)
    }

    private static func has(_ needle: [UInt8], in bytes: [UInt8], at index: Int) -> Bool {
        index + needle.count <= bytes.count && bytes[index..<index + needle.count].elementsEqual(needle)
    }

    private static func firstIndex(of byte: UInt8, in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index < bytes.count {
            if bytes[index] == byte { return index }
            index += 1
        }
        return nil
    }

    /// The id from `start` up to `terminator` (letters, digits, `-`, `_`, `.`; not empty).
    private static func identifier(in bytes: [UInt8], from start: Int, until terminator: UInt8) -> (String, Int)? {
        var index = start
        while index < bytes.count, bytes[index] != terminator {
            let byte = bytes[index]
            let allowed = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            guard allowed else { return nil }
            index += 1
        }
        guard index < bytes.count, index > start else { return nil }
        return (String(decoding: bytes[start..<index], as: UTF8.self), index)
    }
}

/// The cuts of the pre-rendered pages served lately, by path, checked against the file's size
/// and modification time on each request; at most `capacity` bytes of pages are kept.
final class PageCutCache: Sendable {
    private struct Entry {
        var size: Int
        var modified: Int
        var cuts: PageCuts
        var used: Int
    }

    private let capacity: Int
    private let state = Mutex<(entries: [String: Entry], bytes: Int, clock: Int, cuts: Int)>(([:], 0, 0, 0))

    init(capacity: Int = 64 << 20) {
        self.capacity = capacity
    }

    /// How many times a page was cut (read and scanned) so far.
    var cutCount: Int { state.withLock { $0.cuts } }

    /// The cuts of the file at `path`; nil when it cannot be read.
    func cuts(of path: String) -> PageCuts? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let size = Int(info.st_size), modified = Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec)
        let cached = state.withLock { state -> PageCuts? in
            state.clock += 1
            guard let entry = state.entries[path], entry.size == size, entry.modified == modified else { return nil }
            state.entries[path]?.used = state.clock
            return entry.cuts
        }
        if let cached { return cached }
        guard let data = try? readAll(path) else { return nil }
        let cuts = PageCuts.cut(data)
        state.withLock { state in
            state.cuts += 1
            if let old = state.entries[path] { state.bytes -= old.cuts.bytes.count }
            guard data.count <= capacity else {
                state.entries[path] = nil
                return
            }
            state.entries[path] = Entry(size: size, modified: modified, cuts: cuts, used: state.clock)
            state.bytes += data.count
            while state.bytes > capacity, let oldest = state.entries.min(by: { $0.value.used < $1.value.used }) {
                state.bytes -= oldest.value.cuts.bytes.count
                state.entries[oldest.key] = nil
            }
        }
        return cuts
    }

    private func readAll(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw PageReadError() }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count < 0 { throw PageReadError() }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    private struct PageReadError: Error {}
}
