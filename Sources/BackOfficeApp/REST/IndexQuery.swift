import Foundation
import ConfigRepo
import SiteGen
import WebServer

/// The paging and search parameters every PlaceOS index route takes (placeos-api §1): `q`
/// (words are prefixes, all must match), `limit` (default 100, at most 10,000) and `offset`;
/// and the headers that describe the page: `X-Total-Count`, `Content-Range`, `Link rel="next"`.
struct IndexQuery: Sendable {
    static let defaultLimit = 100
    static let maximumLimit = 10_000

    /// The lowercased words of `q`.
    let words: [String]
    let limit: Int
    let offset: Int

    init(_ request: Request) throws(RESTError) {
        words = Self.words(of: request.query("q") ?? "")
        limit = try Self.integer(request, "limit", default: Self.defaultLimit, in: 0...Self.maximumLimit)
        offset = try Self.integer(request, "offset", default: 0, in: 0...Int(Int32.max))
    }

    private static func integer(_ request: Request, _ name: String, default value: Int, in range: ClosedRange<Int>) throws(RESTError) -> Int {
        guard let text = request.query(name), !text.isEmpty else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw .badRequest("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)", parameter: name,
                              restriction: "\(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    /// The lowercased words of `text` as `q` is cut: runs of letters and digits.
    static func words(of text: String) -> [String] {
        text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
    }

    /// The page of `items` (only those rendered) and the response with PlaceOS's paging headers;
    /// `table` names the resource in `Content-Range` (`systems 0-99/1000`).
    func page<Item>(_ items: [Item], table: String, request: Request, render: (Item) -> JSONValue) -> Response {
        let total = items.count
        let start = min(offset, total)
        let end = min(start + limit, total)
        var response = Response.json(JSONWriter.compactString(.array(items[start..<end].map(render))))
        response.headers.add("X-Total-Count", String(total))
        response.headers.add("Content-Range", "\(table) \(start)-\(max(end - 1, start))/\(total)")
        if end < total {
            var query = request.queryItems.filter { $0.name != "offset" && $0.name != "limit" }
            query.append(("offset", String(end)))
            query.append(("limit", String(limit)))
            let text = query.map { FormEncoding.encode($0.name) + "=" + FormEncoding.encode($0.value) }.joined(separator: "&")
            response.headers.add("Link", "<\(request.path)?\(text)>; rel=\"next\"")
        }
        return response
    }
}
