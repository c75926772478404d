/// The rules for ids and metadata names that appear in file names.
public enum IdentifierRules {
    /// Characters allowed after the prefix of an id (PlaceOS: `[A-Za-z0-9_~-]`).
    public static func isValidIDBody(_ body: Substring) -> Bool {
        guard (1...64).contains(body.utf8.count) else { return false }
        return body.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~") || byte == UInt8(ascii: "-")
        }
    }

    /// Whether `id` is a well-formed id of `kind` (right prefix, allowed characters).
    public static func isValidID(_ id: String, of kind: Kind) -> Bool {
        kind.idPrefixes.contains { prefix in
            id.hasPrefix(prefix) && isValidIDBody(id.dropFirst(prefix.count))
        }
    }

    /// Metadata names become file names: same characters as ids, plus `.` not leading.
    public static func isValidMetadataName(_ name: String) -> Bool {
        guard !name.hasPrefix("."), (1...64).contains(name.utf8.count) else { return false }
        return name.utf8.allSatisfy { byte in
            byte == UInt8(ascii: ".") || isValidIDBody(Substring(String(decoding: [byte], as: UTF8.self)))
        }
    }

    /// A new random id for `kind`: the prefix and 10 characters, as forms create them.
    public static func newID(for kind: Kind) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_~")
        var generator = SystemRandomNumberGenerator()
        let body = String((0..<10).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
        return (kind.idPrefixes.first ?? "") + body
    }
}
