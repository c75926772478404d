/// SSO strategy rules (docs/config-format.md, "Auth strategy"): what each kind of strategy
/// needs to sign anyone in, checked when the file is written rather than at the first sign-in.
///
/// - `oauth_strat-`: `client_id`, and either `site` (OpenID Connect discovery: the issuer, or
///   the whole metadata URL) or both `authorize_url` and `token_url` (plain OAuth2, which also
///   needs `raw_info_url` to know who signed in); absolute http(s) URLs (or paths under `site`).
/// - `adfs_strat-`: `issuer` (our entity id), `idp_sso_target_url`, and `idp_cert` or
///   `idp_cert_fingerprint`.
struct AuthStrategyRules {
    func check(_ document: ConfigDocument, into report: inout ProblemReport) {
        if document.id.hasPrefix("oauth_strat-") { checkOAuth(document, into: &report) }
        if document.id.hasPrefix("adfs_strat-") { checkSAML(document, into: &report) }
    }

    private func checkOAuth(_ document: ConfigDocument, into report: inout ProblemReport) {
        func present(_ field: String) -> Bool { !(document.string(field) ?? "").isEmpty }
        if !present("client_id") { report.add("client_id", "is required: the client id the identity provider gave this application") }
        let site = document.string("site") ?? ""
        if !site.isEmpty, !Self.isHTTPURL(site) { report.add("site", "must be an absolute http(s) URL, found \"\(site)\"") }
        if present("authorize_url") || present("token_url") {
            for field in ["authorize_url", "token_url"] where !present(field) {
                report.add(field, "is required with \(field == "token_url" ? "authorize_url" : "token_url") (plain OAuth2)")
            }
            if !present("raw_info_url") {
                report.add("raw_info_url", "is required for plain OAuth2: it tells who signed in (or leave authorize_url empty to use OpenID discovery from site)")
            }
        } else if site.isEmpty {
            report.add("site", "is required: the OpenID issuer or metadata URL (or give authorize_url, token_url and raw_info_url)")
        }
        for field in ["authorize_url", "token_url", "raw_info_url"] {
            guard let value = document.string(field), !value.isEmpty else { continue }
            if value.hasPrefix("/") {
                if site.isEmpty { report.add(field, "is a path, which needs site to be set") }
            } else if !Self.isHTTPURL(value) {
                report.add(field, "must be an absolute http(s) URL or a path under site, found \"\(value)\"")
            }
        }
        for (key, value) in document.object("info_mappings") ?? [:] where value.stringValue == nil {
            report.add("info_mappings.\(key)", "must be a string (the provider's claim name)")
        }
    }

    private func checkSAML(_ document: ConfigDocument, into report: inout ProblemReport) {
        func present(_ field: String) -> Bool { !(document.string(field) ?? "").isEmpty }
        if !present("issuer") { report.add("issuer", "is required: this service provider's entity id, as the IdP knows it") }
        if let target = document.string("idp_sso_target_url"), !target.isEmpty {
            if !Self.isHTTPURL(target) { report.add("idp_sso_target_url", "must be an absolute http(s) URL, found \"\(target)\"") }
        } else {
            report.add("idp_sso_target_url", "is required: the IdP's single sign-on URL")
        }
        if !present("idp_cert") && !present("idp_cert_fingerprint") {
            report.add("idp_cert", "is required (or idp_cert_fingerprint): responses are accepted only when signed by the IdP")
        }
    }

    static func isHTTPURL(_ text: String) -> Bool {
        for scheme in ["https://", "http://"] where text.hasPrefix(scheme) {
            let rest = text.dropFirst(scheme.count)
            return !rest.isEmpty && !rest.hasPrefix("/") && !text.contains(where: { $0.isWhitespace })
        }
        return false
    }
}
