/// `multipart/form-data` (RFC 7578): the decoder for forms that upload a file.
///
/// The same rules as `URLEncodedForm`, plus the parts' own: the body is at most `maximumBytes`
/// (else 413), the type is `multipart/form-data` with a `boundary` (else 415), every part has a
/// `Content-Disposition: form-data; name="…"` and the body ends with the closing delimiter
/// (else 400), no name is given twice (400, naming it), and text fields — parts without a
/// `filename` — are UTF-8. Part headers other than the disposition and `Content-Type` are
/// ignored; there is no nested multipart and no `Content-Transfer-Encoding` (RFC 7578 §4.7).
public struct MultipartForm: Sendable {
    /// One part: a text field or a file.
    public struct Part: Sendable, Equatable {
        public var name: String
        /// The file name the browser sent (nil: a text field).
        public var filename: String?
        public var contentType: String?
        public var bytes: [UInt8]
    }

    /// The parts in the order they came.
    public let parts: [Part]
    /// At most this many parts (a form here has a handful).
    public static let maximumParts = 64

    /// Decodes the body of `request`; larger than `maximumBytes` is refused with 413.
    public init(_ request: Request, maximumBytes: Int) throws(HTTPError) {
        try self.init(body: request.body, contentType: request.headers["content-type"], maximumBytes: maximumBytes)
    }

    public init(body: [UInt8], contentType: String?, maximumBytes: Int) throws(HTTPError) {
        if body.count > maximumBytes { throw HTTPError(.payloadTooLarge, "the upload is larger than \(maximumBytes / 1024 / 1024) MiB") }
        guard let contentType, let boundary = Self.boundary(of: contentType) else {
            throw HTTPError(HTTPStatus(415), "send the form as multipart/form-data with a boundary")
        }
        let delimiter = Array("--\(boundary)".utf8)
        let separator = Array("\r\n--\(boundary)".utf8)
        guard body.starts(with: delimiter) else { throw HTTPError(.badRequest, "malformed multipart body: it does not start with the boundary") }
        var parts: [Part] = []
        var names = Set<String>()
        var position = delimiter.count
        while true {
            // After a delimiter: "--" closes the body, CRLF opens a part.
            if body[position...].starts(with: [0x2D, 0x2D]) { break }
            guard body[position...].starts(with: [0x0D, 0x0A]) else { throw HTTPError(.badRequest, "malformed multipart body after a boundary") }
            position += 2
            guard let headerEnd = Self.find([0x0D, 0x0A, 0x0D, 0x0A], in: body, from: position) else {
                throw HTTPError(.badRequest, "malformed multipart body: a part's headers do not end")
            }
            guard let next = Self.find(separator, in: body, from: headerEnd + 4) else {
                throw HTTPError(.badRequest, "malformed multipart body: it does not end with the closing boundary")
            }
            var part = try Self.part(headers: Array(body[position..<headerEnd]), bytes: Array(body[(headerEnd + 4)..<next]))
            guard names.insert(part.name).inserted else { throw HTTPError(.badRequest, "field \"\(part.name.prefix(40))\" given twice") }
            if part.filename == nil, String(validating: part.bytes, as: UTF8.self) == nil {
                throw HTTPError(.badRequest, "field \"\(part.name.prefix(40))\" is not UTF-8 text")
            }
            if part.contentType?.isEmpty == true { part.contentType = nil }
            parts.append(part)
            guard parts.count <= Self.maximumParts else { throw HTTPError(.badRequest, "more than \(Self.maximumParts) form fields") }
            position = next + separator.count
        }
        self.parts = parts
    }

    /// The text of field `name` (a part without a file name).
    public subscript(name: String) -> String? {
        parts.first { $0.name == name && $0.filename == nil }.map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    /// The text fields by name, as `URLEncodedForm.values` has them.
    public var values: [String: String] {
        var values: [String: String] = [:]
        for part in parts where part.filename == nil { values[part.name] = String(decoding: part.bytes, as: UTF8.self) }
        return values
    }

    /// The file sent as field `name`.
    public func file(_ name: String) -> Part? { parts.first { $0.name == name && $0.filename != nil } }

    // MARK: - Pieces

    /// The `boundary` parameter of a `multipart/form-data` type (quoted or not, 1–70 characters).
    static func boundary(of contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { String(trimmed($0)) }
        guard let type = pieces.first, equalsIgnoringCase(type, "multipart/form-data") else { return nil }
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "="), equalsIgnoringCase(trimmed(piece[..<equals]), "boundary") else { continue }
            var value = String(trimmed(piece[piece.index(after: equals)...]))
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    private static func part(headers raw: [UInt8], bytes: [UInt8]) throws(HTTPError) -> Part {
        guard let text = String(validating: raw, as: UTF8.self) else { throw HTTPError(.badRequest, "a part's headers are not UTF-8") }
        var disposition: String?
        var contentType: String?
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { throw HTTPError(.badRequest, "malformed part header") }
            let name = trimmed(line[..<colon]).lowercased()
            let value = String(trimmed(line[line.index(after: colon)...]))
            if name == "content-disposition" { disposition = value } else if name == "content-type" { contentType = value }
        }
        guard let disposition, let parameters = Self.dispositionParameters(disposition), let name = parameters["name"] else {
            throw HTTPError(.badRequest, "a part has no Content-Disposition: form-data; name=\"…\"")
        }
        return Part(name: name, filename: parameters["filename"], contentType: contentType, bytes: bytes)
    }

    /// `form-data; name="a"; filename="b.svg"` → `["name": "a", "filename": "b.svg"]` (nil when
    /// the disposition is not `form-data`). Quoted values may hold `;` and `\"` escapes.
    static func dispositionParameters(_ value: String) -> [String: String]? {
        var rest = Substring(value)
        let type = rest.prefix { $0 != ";" }
        guard equalsIgnoringCase(trimmed(type), "form-data") else { return nil }
        rest = rest.dropFirst(type.count)
        var parameters: [String: String] = [:]
        while rest.first == ";" {
            rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
            let key = rest.prefix { $0 != "=" && $0 != ";" }
            rest = rest.dropFirst(key.count)
            guard rest.first == "=" else { continue }
            rest = rest.dropFirst()
            var parsed = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    if character == "\\", let escaped = rest.first {
                        parsed.append(escaped)
                        rest = rest.dropFirst()
                    } else {
                        parsed.append(character)
                    }
                }
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                rest = rest.drop { $0 != ";" }
            } else {
                let token = rest.prefix { $0 != ";" }
                parsed = String(trimmed(token))
                rest = rest.dropFirst(token.count)
            }
            parameters[trimmed(key).lowercased()] = parsed
        }
        return parameters
    }

    /// The first index of `needle` in `haystack` at or after `start`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
