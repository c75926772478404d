import Auth
import ConfigRepo
import Runtime
import SiteGen
import WebServer

/// Puts the runtime's state of the moment into a pre-rendered page, so the first view is right
/// without JavaScript (app.js then keeps it up to date over `/api/engine/v2/live`):
///
/// - module dots `data-module="ID" class="dot X"` get the module's `LiveDot` class, and
///   `data-module-text="ID">words<` its words;
/// - map rooms `<a href="/backoffice/systems/ID/" class="room-link">` get `room-<state>`;
/// - `<!--live-counts-->` becomes the online/offline counts.
///
/// The marks come from our own templates and the SVG shim, so plain string matching is exact.
enum LiveMarks {
    static let countsMarker = "<!--live-counts-->"

    /// Whether a pre-rendered page of this key can carry live marks.
    static func applies(to key: PageKey) -> Bool {
        switch key {
        case .home, .map, .list(.module, _): true
        case .detail(let ref): ref.kind == .module || ref.kind == .system
        default: false
        }
    }

    /// Whether the page carries any live mark (a page written by other means is served as is).
    static func hasMarks(_ page: String) -> Bool {
        page.contains("data-module=\"") || page.contains(countsMarker) || page.contains("class=\"room-link\"")
    }

    /// Where the values come from (the runtime, or a test's table).
    struct Source {
        var dot: (_ module: String) -> LiveDot
        var room: (_ system: String) -> String
        var counts: () -> (online: Int, offline: Int, stopped: Int)
    }

    static func fill(_ page: String, engine: RuntimeEngine) -> String {
        fill(page, from: Source(dot: { LiveDot.of(module: $0, in: engine) }, room: { RoomState.of(system: $0, in: engine) },
                                counts: { LiveDot.counts(in: engine) }))
    }

    static func fill(_ page: String, from source: Source) -> String {
        var out = replaceAttributeRuns(page, prefix: "data-module=\"", then: "\" class=\"dot ", terminator: "\"") { id in
            source.dot(id).dot
        }
        out = replaceAttributeRuns(out, prefix: "data-module-text=\"", then: "\">", terminator: "<") { id in
            source.dot(id).text
        }
        out = replaceAttributeRuns(out, prefix: "<a href=\"/backoffice/systems/", then: "/\" class=\"room-link", terminator: "\"") { id in
            " room-" + source.room(id)
        }
        if let range = out.range(of: countsMarker) {
            out.replaceSubrange(range, with: countsHTML(source.counts()))
        }
        return out
    }

    /// The counts block of the home page (element ids for app.js).
    static func countsHTML(_ counts: (online: Int, offline: Int, stopped: Int)) -> String {
        "<p class=\"live-counts\"><span class=\"count-item\"><span class=\"dot online\"></span><b data-count=\"online\">\(counts.online)</b> online</span>"
            + "<span class=\"count-item\"><span class=\"dot offline\"></span><b data-count=\"offline\">\(counts.offline)</b> offline</span>"
            + "<span class=\"count-item\"><span class=\"dot stopped\"></span><b data-count=\"stopped\">\(counts.stopped)</b> stopped</span></p>"
    }

    /// For each `prefix ID then VALUE terminator`, replaces VALUE with `value(ID)` (escaped);
    /// a room link's value is appended after `room-link` instead (its `then` ends the class).
    private static func replaceAttributeRuns(_ page: String, prefix: String, then: String, terminator: String,
                                             value: (String) -> String) -> String {
        guard page.contains(prefix) else { return page }
        var out = ""
        out.reserveCapacity(page.utf8.count + 256)
        var rest = page[...]
        let appending = then.hasSuffix("room-link")
        while let start = rest.range(of: prefix) {
            out += rest[..<start.upperBound]
            rest = rest[start.upperBound...]
            guard let idEnd = rest.range(of: then.hasPrefix("/") ? "/" : "\""), rest[..<idEnd.lowerBound].allSatisfy(isIDCharacter),
                  rest[idEnd.lowerBound...].hasPrefix(then) else { continue }
            let id = String(rest[..<idEnd.lowerBound])
            let afterThen = rest.index(idEnd.lowerBound, offsetBy: then.count)
            out += rest[..<afterThen]
            rest = rest[afterThen...]
            if appending {
                out += escape(value(id))
                continue
            }
            guard let end = rest.range(of: terminator) else { continue }
            out += escape(value(id))
            rest = rest[end.lowerBound...]
        }
        out += rest
        return out
    }

    private static func isIDCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == "_" || character == ".")
    }

    private static func escape(_ text: String) -> String {
        text.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == " ") }
    }
}
