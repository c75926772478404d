/// `application/x-www-form-urlencoded`: the one decoder for form bodies, and the percent-decoding
/// the request target's path and query use too.
///
/// One rule set for every form: the body is urlencoded (a request without `Content-Type` is read
/// as such; any other type is refused with 415), every escape is well formed and the text UTF-8
/// (else 400), and no field is given twice (else 400, naming it) — a form here never repeats a
/// name, so a repeat is a forgery or a bug, not something to guess about.
public struct URLEncodedForm: Sendable {
    /// The fields by name.
    public let values: [String: String]

    /// Decodes the body of `request`. `maximumBytes` refuses larger bodies with 413 (sign-in and
    /// token forms are small); nil leaves the limit to the server's `Limits.maxBodyBytes`.
    public init(_ request: Request, maximumBytes: Int? = nil) throws(HTTPError) {
        if let maximumBytes, request.body.count > maximumBytes { throw HTTPError(.payloadTooLarge, "form too large") }
        if let type = request.headers["content-type"], !type.lowercased().hasPrefix("application/x-www-form-urlencoded") {
            throw HTTPError(HTTPStatus(415), "send the form as application/x-www-form-urlencoded")
        }
        guard let pairs = Self.pairs(String(decoding: request.body, as: UTF8.self)[...]) else {
            throw HTTPError(.badRequest, "malformed form")
        }
        var values: [String: String] = [:]
        for (name, value) in pairs {
            guard values[name] == nil else { throw HTTPError(.badRequest, "field \"\(name.prefix(40))\" given twice") }
            values[name] = value
        }
        self.values = values
    }

    /// The value of field `name`.
    public subscript(name: String) -> String? { values[name] }

    /// The `name=value` pairs of `&`-separated urlencoded text (a body or a query string), in
    /// order, `+` read as a space; nil on a malformed escape or text that is not UTF-8.
    ///
    /// Cut on the bytes `&` and `=`, not on characters: a combining mark after `&` makes one
    /// character of the two, and splitting characters would merge two fields that every other
    /// reader of the request sees apart (found by the `form` fuzz target).
    static func pairs(_ text: Substring) -> [(name: String, value: String)]? {
        var pairs: [(name: String, value: String)] = []
        for item in text.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = item.firstIndex(of: UInt8(ascii: "="))
            guard let name = percentDecode(Substring(item[..<(equals ?? item.endIndex)]), plusIsSpace: true),
                  let value = equals.map({ percentDecode(Substring(item[item.index(after: $0)...]), plusIsSpace: true) }) ?? ""
            else { return nil }
            pairs.append((name, value))
        }
        return pairs
    }

    /// Decodes `%XX` escapes (and `+` as a space when asked); nil on a malformed escape or text
    /// that is not UTF-8.
    public static func percentDecode<S: StringProtocol>(_ text: S, plusIsSpace: Bool) -> String? {
        let utf8 = text.utf8
        if !utf8.contains(0x25) && !(plusIsSpace && utf8.contains(0x2B)) { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == 0x25 {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(UInt8(high << 4 | low))
            } else if byte == 0x2B && plusIsSpace {
                bytes.append(0x20)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
