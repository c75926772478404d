import CXMLShim

/// Makes a level map safe to inline and links its rooms (libxml2, through the C shim).
public enum MapSanitizer {
    public struct RoomLink: Sendable {
        public var elementID: String
        public var href: String
        public var title: String
        public init(elementID: String, href: String, title: String) {
            self.elementID = elementID
            self.href = href
            self.title = title
        }
    }

    public struct Result: Sendable {
        /// The sanitised `<svg>` element.
        public var svg: TrustedHTML
        /// Element ids of the links that matched nothing on the map.
        public var missing: [String]
    }

    public struct MapError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public static func sanitize(_ bytes: [UInt8], links: [RoomLink] = []) throws(MapError) -> Result {
        var found = [Int32](repeating: 0, count: max(links.count, 1))
        var errorPointer: UnsafeMutablePointer<CChar>?
        let output: UnsafeMutablePointer<CChar>? = withCStrings(links) { cLinks in
            bytes.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { data in
                    sanitize_svg(data, buffer.count, cLinks.baseAddress, links.count, &found, &errorPointer)
                }
            }
        }
        guard let output else {
            let message = errorPointer.map { String(cString: $0).trimmingCharacters() } ?? "unreadable map"
            svg_free(errorPointer)
            throw MapError(message: message)
        }
        let svg = String(cString: output)
        svg_free(output)
        let missing = links.enumerated().filter { found[$0.offset] == 0 }.map(\.element.elementID)
        return Result(svg: TrustedHTML(trusted: svg), missing: missing)
    }

    /// Whether a sanitised `<svg>` element still holds an element inside it (something to
    /// draw): a map the sanitiser emptied is refused on upload.
    public static func drawsSomething(_ svg: String) -> Bool {
        guard let rootEnd = svg.firstIndex(of: ">"), svg[..<rootEnd].last != "/" else { return false }
        return svg[svg.index(after: rootEnd)...].filter { $0 == "<" }.count >= 2  // a child and `</svg>`
    }

    /// Calls `body` with the links as C structs whose strings live for the call.
    private static func withCStrings<R>(_ links: [RoomLink], _ body: (UnsafeBufferPointer<svg_room_link>) -> R) -> R {
        let strings = links.map { (strdup($0.elementID), strdup($0.href), strdup($0.title)) }
        defer { for (a, b, c) in strings { free(a); free(b); free(c) } }
        let structs = strings.map { svg_room_link(element_id: $0.0, href: $0.1, title: $0.2) }
        return structs.withUnsafeBufferPointer(body)
    }
}

#if canImport(Glibc)
import Glibc
#endif
