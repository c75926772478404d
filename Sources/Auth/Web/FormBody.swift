import WebServer

/// `application/x-www-form-urlencoded` bodies (sign-in, consent, token requests).
enum FormBody {
    /// Largest form accepted, in bytes.
    static let maximumBytes = 16 * 1024

    /// The fields of a sign-in, consent or token form (`URLEncodedForm`, at most `maximumBytes`).
    static func parse(_ request: Request) throws(HTTPError) -> [String: String] {
        try URLEncodedForm(request, maximumBytes: maximumBytes).values
    }

    /// A same-origin relative URL to go to after sign-in, or the default. Absolute URLs,
    /// scheme-relative `//host`, backslashes and control characters are refused.
    static func safeContinue(_ candidate: String?, fallback: String = "/backoffice/") -> String {
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"), candidate.utf8.count <= 2048,
              !candidate.contains("\\"), !candidate.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return fallback }
        return candidate
    }
}
