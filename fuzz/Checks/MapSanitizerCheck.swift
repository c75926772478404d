import Foundation
import SiteGen

/// The SVG map sanitiser (libxml2 through CXMLShim; under the fuzz build the C shim runs with
/// AddressSanitizer too). Properties of every map it accepts: the output is one `<svg>` element
/// with no script, style or foreign element, no event attribute, no `javascript:` (or other
/// script scheme), no reference outside the document but the room links we asked for, no
/// `xml:base`, no DTD and no entity reference but the five of XML and character references.
public enum MapSanitizerCheck: FuzzCheck {
    public static let name = "svg"
    static let links = [MapSanitizer.RoomLink(elementID: "room-1", href: "/backoffice/systems/sys-fuzz.html", title: "Room <1> & \"2\"")]
    static let forbiddenElements: Set<String> = ["script", "style", "foreignobject", "iframe", "object", "embed", "handler", "listener"]

    public static func check(_ input: [UInt8]) throws(PropertyViolation) {
        guard let result = try? MapSanitizer.sanitize(input, links: links) else { return }
        try SVGOutput.check(Array(result.svg.text.utf8), allowedHrefs: Set(links.map(\.href)))
    }
}

/// A lexical reader of the sanitiser's output (libxml2's serialisation: attributes in double
/// quotes, no comments or CDATA left) that checks each tag and each `&`.
enum SVGOutput {
    static func check(_ bytes: [UInt8], allowedHrefs: Set<String>) throws(PropertyViolation) {
        try require(bytes.starts(with: Array("<svg".utf8)), "the output does not start with <svg")
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "&") {
                try checkReference(bytes, at: index)
                index += 1
            } else if byte == UInt8(ascii: "<") {
                index = try checkTag(bytes, from: index + 1, allowedHrefs: allowedHrefs)
            } else {
                index += 1
            }
        }
    }

    static let predefined = ["amp;", "lt;", "gt;", "quot;", "apos;"]

    /// `&` starts one of XML's five entities or a character reference, nothing else.
    static func checkReference(_ bytes: [UInt8], at index: Int) throws(PropertyViolation) {
        let after = bytes[(index + 1)...].prefix(12)
        if predefined.contains(where: { after.starts(with: Array($0.utf8)) }) { return }
        if after.first == UInt8(ascii: "#"), after.contains(UInt8(ascii: ";")) { return }
        throw PropertyViolation("an entity reference in the output: \(String(decoding: after, as: UTF8.self).debugDescription)")
    }

    /// Reads the tag after `<` and returns the index after it.
    static func checkTag(_ bytes: [UInt8], from start: Int, allowedHrefs: Set<String>) throws(PropertyViolation) -> Int {
        var index = start
        if index < bytes.count, bytes[index] == UInt8(ascii: "!") || bytes[index] == UInt8(ascii: "?") {
            throw PropertyViolation("a declaration, comment or processing instruction in the output")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "/") { index += 1 }
        let nameStart = index
        while index < bytes.count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">"), bytes[index] != UInt8(ascii: "/") { index += 1 }
        let element = lowercase(bytes[nameStart..<index])
        let local = element.split(separator: ":").last.map(String.init) ?? element
        try require(!forbidden(local), "a <\(element)> element in the output")
        while index < bytes.count {
            while index < bytes.count, isSpace(bytes[index]) || bytes[index] == UInt8(ascii: "/") { index += 1 }
            guard index < bytes.count, bytes[index] != UInt8(ascii: ">") else { return index + 1 }
            let attributeStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "="), !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">") { index += 1 }
            let attribute = lowercase(bytes[attributeStart..<index])
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "="), bytes[index + 1] == UInt8(ascii: "\"") else {
                throw PropertyViolation("attribute \(attribute) of <\(element)> has no quoted value")
            }
            index += 2
            let valueStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") { index += 1 }
            let raw = bytes[valueStart..<index]
            index += 1
            try checkAttribute(attribute, value: decode(raw), element: element, allowedHrefs: allowedHrefs)
            for offset in raw.indices where raw[offset] == UInt8(ascii: "&") { try checkReference(bytes, at: offset) }
        }
        return index
    }

    static func checkAttribute(_ name: String, value: String, element: String, allowedHrefs: Set<String>) throws(PropertyViolation) {
        let local = name.split(separator: ":").last.map(String.init) ?? name
        try require(!local.hasPrefix("on"), "an event attribute \(name) on <\(element)>")
        try require(name != "xml:base", "xml:base on <\(element)>")
        // What a browser reads: case and ASCII whitespace or control characters do not count.
        let squeezed = String(value.lowercased().unicodeScalars.filter { $0.value > 0x20 })
        for scheme in ["javascript:", "vbscript:", "data:"] {
            try require(!squeezed.contains(scheme), "\(scheme) in \(name) of <\(element)>: \(value.debugDescription)")
        }
        if local == "href" || local == "src" {
            try require(squeezed.hasPrefix("#") || allowedHrefs.contains(value), "an external reference \(name)=\(value.debugDescription) on <\(element)>")
        }
        var rest = squeezed[...]
        while let range = rest.range(of: "url(") {
            let target = rest[range.upperBound...].drop { $0 == "'" || $0 == "\"" }
            try require(target.hasPrefix("#"), "an external url( in \(name) of <\(element)>: \(value.debugDescription)")
            rest = rest[range.upperBound...]
        }
    }

    static func forbidden(_ element: String) -> Bool { MapSanitizerCheck.forbiddenElements.contains(element) }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    static func lowercase(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self).lowercased() }

    /// The attribute value with XML's references replaced, as the browser sees it.
    static func decode(_ raw: ArraySlice<UInt8>) -> String {
        var text = String(decoding: raw, as: UTF8.self)
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        var out = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if after.hasPrefix("#"), let semicolon = after.firstIndex(of: ";") {
                let digits = after[after.index(after: after.startIndex)..<semicolon]
                let code = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
                if let code, let scalar = UnicodeScalar(code) { out.unicodeScalars.append(scalar) }
                rest = after[after.index(after: semicolon)...]
            } else if after.hasPrefix("amp;") {
                out += "&"
                rest = after.dropFirst(4)
            } else {
                out += "&"
                rest = after
            }
        }
        return out + rest
    }
}
