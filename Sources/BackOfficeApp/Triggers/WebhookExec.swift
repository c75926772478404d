import ConfigRepo
import SiteGen
import WebServer

/// PlaceOS's webhook exec: the module function gets `(method, headers, body)` and may answer
/// `[status, headers, body]`, which becomes the HTTP response.
enum WebhookExec {
    /// The function's arguments: the HTTP method, the request's headers as `{name: [values]}`
    /// plus `pos-query-params` (the query without `secret` and the exec parameters' secret-free
    /// rest), and the body as text. Cookies are left out: a browser's session for this site is
    /// no business of a driver.
    static func arguments(for request: Request) -> JSONValue {
        var headers: [String: [JSONValue]] = [:]
        for field in request.headers where field.name.lowercased() != "cookie" {
            headers[field.name.lowercased(), default: []].append(.string(field.value))
        }
        let query = request.queryItems.filter { $0.name != "secret" }
            .map { FormEncoding.encode($0.name) + "=" + FormEncoding.encode($0.value) }
            .joined(separator: "&")
        headers["pos-query-params"] = [.string(query)]
        return .array([.string(request.method.rawValue), .object(headers.mapValues(JSONValue.array)), .string(request.bodyText)])
    }

    /// The response a function's result asks for, or nil when it is not `[status, headers, body]`
    /// (then the caller answers 202, as PlaceOS does).
    static func response(from result: JSONValue) -> Response? {
        guard let parts = result.arrayValue, (1...3).contains(parts.count), let code = parts[0].intValue,
              (200...599).contains(code) else { return nil }
        var response = Response(status: HTTPStatus(code))
        if parts.count > 1, let headers = parts[1].objectValue {
            for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
                guard let text = value.stringValue, Self.isSafeHeader(name, text) else { continue }
                response.headers.set(name, text)
            }
        }
        if parts.count > 2, let body = parts[2].stringValue, !body.isEmpty {
            response.body = Array(body.utf8)
            if !response.headers.contains("content-type") { response.headers.set("Content-Type", "text/plain; charset=utf-8") }
        }
        return response
    }

    /// A driver's header may not split the response or set framing the server owns.
    private static func isSafeHeader(_ name: String, _ value: String) -> Bool {
        let owned: Set<String> = ["content-length", "transfer-encoding", "connection", "set-cookie"]
        let isToken = !name.isEmpty && name.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }
        return isToken && !owned.contains(name.lowercased()) && !value.contains("\r") && !value.contains("\n")
    }
}
