/// Renders the HTML page for an error (status, client-safe message, request id), for example
/// with the site's templates. Used when the client prefers HTML; JSON clients get JSON regardless.
public typealias ErrorPage = @Sendable (_ status: HTTPStatus, _ message: String, _ requestID: String) -> String

/// Renders errors as responses, as JSON unless the client prefers HTML.
public enum ErrorRenderer {
    /// The response for `error`: the page (or a plain built-in one) for clients that prefer HTML,
    /// else `{"error", "status", "request_id"}`; the error's headers are added.
    public static func response(for error: HTTPError, requestID: String, accept: String?, page: ErrorPage? = nil) -> Response {
        var response: Response
        if let accept, prefersHTML(accept), let page {
            response = .html(page(error.status, error.message, requestID), status: error.status)
        } else if let accept, prefersHTML(accept) {
            let title = escapeHTML("\(error.status.code) \(error.status.reason)")
            response = .html("""
                <!doctype html>
                <html><head><meta charset="utf-8"><title>\(title)</title></head>
                <body><h1>\(title)</h1><p>\(escapeHTML(error.message))</p><p><small>Request id: \(escapeHTML(requestID))</small></p></body></html>

                """, status: error.status)
        } else {
            response = .json("{\"error\":\(jsonString(error.message)),\"status\":\(error.status.code),\"request_id\":\(jsonString(requestID))}\n",
                             status: error.status)
        }
        for field in error.headers { response.headers.set(field.name, field.value) }
        return response
    }

    /// Whether an `Accept` value ranks HTML before JSON.
    public static func prefersHTML(_ accept: String) -> Bool {
        guard let html = accept.firstRange(of: "text/html") else { return false }
        if let json = accept.firstRange(of: "application/json") { return html.lowerBound < json.lowerBound }
        return true
    }
}

/// Escapes text for HTML element content and attribute values.
public func escapeHTML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text.unicodeScalars {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(character)
        }
    }
    return out
}

/// Encodes a string as a JSON string literal.
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
