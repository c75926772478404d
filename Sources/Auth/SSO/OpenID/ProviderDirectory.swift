import ConfigRepo
import Crypto
import Synchronization

/// The endpoints of one provider, from its discovery document or the strategy's fields.
public struct ProviderEndpoints: Sendable, Equatable {
    /// The issuer ID tokens must name; nil for plain OAuth2 (no ID token is used).
    public var issuer: String?
    public var authorization: String
    public var token: String
    public var jwks: String?
    public var userinfo: String?
}

/// What sign-in knows of the identity providers it talks to: discovery documents (kept an hour)
/// and signing keys. Keys rotate: a token naming a key id the cached JWKS lacks makes one
/// refetch of the JWKS — at most once a minute per key id, and at most `refetchesPerMinute`
/// in all — so a stream of made-up key ids cannot turn us into a load on the provider.
public final class ProviderDirectory: Sendable {
    let http: OutgoingHTTP
    private let metadata = Mutex<[String: (endpoints: ProviderEndpoints, fetchedAt: Int)]>([:])
    private let keySets = Mutex<[String: JSONWebKeySet]>([:])
    private let refetches = Mutex<(byKeyID: [String: Int], recent: [Int])>(([:], []))

    public static let metadataLifetime = 3600
    public static let refetchesPerMinute = 10

    public init(http: OutgoingHTTP = OutgoingHTTP()) {
        self.http = http
    }

    /// The endpoints of `strategy`: its own fields, or its discovery document.
    public func endpoints(of strategy: OAuthStrategy, now: Int) throws(OutgoingHTTP.Failure) -> ProviderEndpoints {
        guard strategy.usesDiscovery else {
            return ProviderEndpoints(issuer: nil, authorization: strategy.authorizeURL, token: strategy.tokenURL, jwks: nil,
                                     userinfo: strategy.rawInfoURL.isEmpty ? nil : strategy.rawInfoURL)
        }
        let url = strategy.metadataURL
        if let cached = metadata.withLock({ $0[url] }), cached.fetchedAt + Self.metadataLifetime > now { return cached.endpoints }
        let document = try fetchJSON(url)
        guard let members = document.objectValue, let issuer = members["issuer"]?.stringValue,
              let authorization = members["authorization_endpoint"]?.stringValue, let token = members["token_endpoint"]?.stringValue,
              let jwks = members["jwks_uri"]?.stringValue else {
            throw OutgoingHTTP.Failure("\(url) is not an OpenID discovery document (issuer, authorization_endpoint, token_endpoint, jwks_uri)")
        }
        let endpoints = ProviderEndpoints(issuer: issuer, authorization: authorization, token: token, jwks: jwks,
                                          userinfo: strategy.rawInfoURL.isEmpty ? members["userinfo_endpoint"]?.stringValue : strategy.rawInfoURL)
        metadata.withLock { $0[url] = (endpoints, now) }
        return endpoints
    }

    /// The keys of `jwksURL` that may have signed a token with `header`; fetches the JWKS the
    /// first time, and once more when the key id is unknown (rate-limited, see above).
    public func keys(jwksURL: String, header: IDTokenVerifier.Header, now: Int) -> [PublicKey] {
        if let set = keySets.withLock({ $0[jwksURL] }) {
            let found = set.candidates(kid: header.keyID, algorithm: header.algorithm)
            if !found.isEmpty || !mayRefetch(jwksURL: jwksURL, keyID: header.keyID, now: now) { return found }
        }
        guard let json = try? fetchJSON(jwksURL), let set = JSONWebKeySet(json: json) else { return [] }
        keySets.withLock { $0[jwksURL] = set }
        return set.candidates(kid: header.keyID, algorithm: header.algorithm)
    }

    private func mayRefetch(jwksURL: String, keyID: String?, now: Int) -> Bool {
        refetches.withLock { state in
            let key = jwksURL + " " + (keyID ?? "")
            state.recent = state.recent.filter { $0 > now - 60 }
            if let last = state.byKeyID[key], last > now - 60 { return false }
            guard state.recent.count < Self.refetchesPerMinute else { return false }
            if state.byKeyID.count > 1000 { state.byKeyID = state.byKeyID.filter { $0.value > now - 60 } }
            state.byKeyID[key] = now
            state.recent.append(now)
            return true
        }
    }

    /// A JSON document from `url` (status 200 only).
    func fetchJSON(_ url: String, headers: [(String, String)] = []) throws(OutgoingHTTP.Failure) -> JSONValue {
        let response = try http.get(url, headers: headers)
        guard response.status == 200 else { throw OutgoingHTTP.Failure("\(url) answered \(response.status)") }
        do { return try JSONParser.parse(response.body) } catch { throw OutgoingHTTP.Failure("\(url) did not answer JSON: \(error)") }
    }
}
