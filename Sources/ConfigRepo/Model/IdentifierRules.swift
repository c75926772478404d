import Foundation

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

    /// A new id for `kind` named by `words` (`mod-l1-cafe-display` for the module "Display" of
    /// "L1 Café"): readable when the words give one nobody has (`taken`), random otherwise.
    public static func newID(for kind: Kind, named words: [String], taken: (String) -> Bool) -> String {
        readableID(for: kind, named: words, taken: taken) ?? newID(for: kind)
    }

    /// The readable id of `newID(for:named:taken:)`, or nil when the words give none or it is taken.
    public static func readableID(for kind: Kind, named words: [String], taken: (String) -> Bool) -> String? {
        let body = slug(words)
        guard !body.isEmpty, let prefix = kind.idPrefixes.first, !taken(prefix + body) else { return nil }
        return prefix + body
    }

    /// The words as an id body: lower case, accents dropped, each run of anything else one
    /// hyphen, at most 48 characters (cut at a hyphen); empty when no letter or digit is left.
    static func slug(_ words: [String]) -> String {
        let folded = words.joined(separator: " ").folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
        var body = ""
        var gap = false
        for scalar in folded.unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                if gap, !body.isEmpty { body += "-" }
                gap = false
                body.unicodeScalars.append(scalar)
            } else {
                gap = true
            }
        }
        let limit = 48
        guard body.count > limit else { return body }
        let cut = body.prefix(limit)
        return String(cut.lastIndex(of: "-").map { cut[..<$0] } ?? cut)
    }

    /// A new random id for `kind`: the prefix and 10 characters.
    public static func newID(for kind: Kind) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_~")
        var generator = SystemRandomNumberGenerator()
        let body = String((0..<10).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
        return (kind.idPrefixes.first ?? "") + body
    }
}
