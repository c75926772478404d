/// A small, safe subset of Markdown for descriptions: paragraphs, `- ` lists, **bold**,
/// *emphasis*, `code` and [links](https://…). Everything is escaped first; links only keep
/// http(s), mailto and relative URLs.
public enum MarkdownLite {
    public static func render(_ source: String) -> TrustedHTML {
        var html = ""
        var paragraph: [String] = []
        var items: [String] = []
        func flushParagraph() {
            if !paragraph.isEmpty { html += "<p>" + paragraph.map(inline).joined(separator: "<br>") + "</p>" }
            paragraph = []
        }
        func flushList() {
            if !items.isEmpty { html += "<ul>" + items.map { "<li>" + inline($0) + "</li>" }.joined() + "</ul>" }
            items = []
        }
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(rawLine).trimmingCharacters()
            if line.isEmpty {
                flushParagraph()
                flushList()
            } else if line.hasPrefix("- ") || line.hasPrefix("* ") {
                flushParagraph()
                items.append(String(line.dropFirst(2)))
            } else {
                flushList()
                paragraph.append(line)
            }
        }
        flushParagraph()
        flushList()
        return TrustedHTML(trusted: html)
    }

    /// Inline markup over escaped text.
    static func inline(_ text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let first = rest.first {
            if first == "`", let end = rest.dropFirst().firstIndex(of: "`") {
                output += "<code>" + Escaping.escape(String(rest[rest.index(after: rest.startIndex)..<end])) + "</code>"
                rest = rest[rest.index(after: end)...]
            } else if rest.hasPrefix("**"), let end = rest.dropFirst(2).range(of: "**") {
                output += "<strong>" + inline(String(rest[rest.index(rest.startIndex, offsetBy: 2)..<end.lowerBound])) + "</strong>"
                rest = rest[end.upperBound...]
            } else if first == "*", let end = rest.dropFirst().firstIndex(of: "*") {
                output += "<em>" + inline(String(rest[rest.index(after: rest.startIndex)..<end])) + "</em>"
                rest = rest[rest.index(after: end)...]
            } else if first == "[", let close = rest.firstIndex(of: "]"), rest[close...].dropFirst().first == "(",
                      let paren = rest[close...].firstIndex(of: ")") {
                let label = String(rest[rest.index(after: rest.startIndex)..<close])
                let url = String(rest[rest.index(close, offsetBy: 2)..<paren])
                output += "<a href=\"" + Escaping.escape(url, context: .url) + "\" rel=\"nofollow noopener\">" + Escaping.escape(label) + "</a>"
                rest = rest[rest.index(after: paren)...]
            } else {
                output += Escaping.escape(String(first))
                rest = rest.dropFirst()
            }
        }
        return output
    }
}
