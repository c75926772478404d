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
        PageCuts.cut(Array(page.utf8)).hasLiveMarks
    }

    /// Where the values come from (the runtime, or a test's table).
    struct Source {
        var dot: (_ module: String) -> LiveDot
        var room: (_ system: String) -> String
        var counts: () -> (online: Int, offline: Int, stopped: Int)
    }


    static func fill(_ page: String, engine: RuntimeEngine) -> String {
        fill(page, from: Source(engine: engine))
    }

    /// The page with every live mark filled from `source` (the cuts of `PageCuts`, made for this
    /// one page; the server keeps the cuts of its pages instead of cutting them per request).
    static func fill(_ page: String, from source: Source) -> String {
        String(decoding: PageCuts.cut(Array(page.utf8)).assemble(PageCuts.Fill(live: source)), as: UTF8.self)
    }

    /// The counts block of the home page (element ids for app.js).
    static func countsHTML(_ counts: (online: Int, offline: Int, stopped: Int)) -> String {
        "<p class=\"live-counts\"><span class=\"count-item\"><span class=\"dot online\"></span><b data-count=\"online\">\(counts.online)</b> online</span>"
            + "<span class=\"count-item\"><span class=\"dot offline\"></span><b data-count=\"offline\">\(counts.offline)</b> offline</span>"
            + "<span class=\"count-item\"><span class=\"dot stopped\"></span><b data-count=\"stopped\">\(counts.stopped)</b> stopped</span></p>"
    }

    /// A value as it may stand in a class or a short text: letters, digits, `-`, `_`, spaces.
    static func escape(_ text: String) -> String {
        text.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == " ") }
    }
}

extension LiveMarks.Source {
    /// The runtime's state of the moment.
    init(engine: RuntimeEngine) {
        self.init(dot: { LiveDot.of(module: $0, in: engine) }, room: { RoomState.of(system: $0, in: engine) },
                  counts: { LiveDot.counts(in: engine) })
    }
}
