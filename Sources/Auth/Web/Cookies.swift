import WebServer
/// Reading the `Cookie` header and writing `Set-Cookie` for our own cookies.
enum Cookies {
    /// The value of cookie `name`, or nil. Only the first cookie of that name counts.
    static func value(_ name: String, in headers: HTTPHeaders) -> String? {
        for header in headers.values("cookie") {
            for pair in header.split(separator: ";") {
                let trimmed = pair.drop(while: { $0 == " " })
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                if trimmed[..<equals] == name { return String(trimmed[trimmed.index(after: equals)...]) }
            }
        }
        return nil
    }

    /// `Set-Cookie` text: HttpOnly, SameSite=Lax, Path=/, Secure when the client came over TLS
    /// (the reverse proxy says so with `X-Forwarded-Proto: https`).
    static func setCookie(_ name: String, _ value: String, maxAge: Int, request: Request) -> String {
        var text = "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Lax"
        if isSecure(request) { text += "; Secure" }
        return text
    }

    static func clear(_ name: String, request: Request) -> String { setCookie(name, "", maxAge: 0, request: request) }

    static func isSecure(_ request: Request) -> Bool {
        request.headers["x-forwarded-proto"]?.lowercased().split(separator: ",").first.map { $0.trimmingCharacters() == "https" } ?? false
    }
}

private extension Substring {
    func trimmingCharacters() -> String { String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed()) }
}
