import ConfigRepo
import Crypto
import SiteGen
import WebServer

/// Sign-in through a SAML 2.0 identity provider: `GET /auth/login?provider=adfs&id=<strategy>`
/// (or `/auth/adfs?id=…`) sends an AuthnRequest by the redirect binding with the pending
/// sign-in's state as `RelayState`; the IdP posts the Response to `POST /auth/adfs/callback?id=…`
/// (the assertion consumer), checked by `SAMLResponseChecker` against that request, and each
/// assertion id is used once (`SAMLReplayCache`). `GET /auth/adfs/metadata?id=…` is our SP
/// metadata. The callback is a cross-site POST, so no cookie of ours comes with it: the
/// request id and relay state bind the answer to the sign-in we started.
extension AuthService {
    static let samlCallbackPath = "/auth/adfs/callback"
    static let samlMetadataPath = "/auth/adfs/metadata"
    /// Largest form the IdP may post (a response with many attributes and certificates).
    static let samlFormBytes = 1 << 20

    func startSAML(_ request: Request, strategy: SAMLStrategy, domain: DomainRecord, continueURL: String, now: Int) -> Response {
        let requestID = "_" + SecureRandom.hex(20)
        let consumer = samlConsumerURL(request, strategy: strategy, domain: domain)
        let state = singleSignOn.pending.start(.init(strategyID: strategy.id, domainID: domain.id, redirectURI: consumer,
                                                     continueURL: continueURL, nonce: "", codeVerifier: "",
                                                     expiresAt: now + PendingSignIns.lifetime, samlRequestID: requestID), now: now)
        var response = Response.redirect(to: SAMLMessages.redirect(strategy: strategy, requestID: requestID, consumerURL: consumer,
                                                                   relayState: state, now: now), status: .found)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    /// `POST /auth/adfs/callback?id=…`: SAMLResponse and RelayState.
    func finishSAML(_ request: Request) -> Response {
        let now = clock()
        let snapshot = directory.current
        let requestDomain = snapshot.domain(forHost: request.headers["host"])
        let form: [String: String]
        do { form = try URLEncodedForm(request, maximumBytes: Self.samlFormBytes).values } catch {
            logRefusal(request, "SAML callback", "unreadable form: \(error.message)")
            return ssoFailure(request, domain: requestDomain, continueURL: "/backoffice/", status: .badRequest,
                              message: "This sign-in could not be read. Please sign in again.")
        }
        guard let pending = singleSignOn.pending.take(form["RelayState"] ?? "", now: now), let requestID = pending.samlRequestID else {
            logRefusal(request, "SAML callback", "unknown, used or expired RelayState (or a sign-in the IdP started)")
            return ssoFailure(request, domain: requestDomain, continueURL: "/backoffice/", status: .badRequest,
                              message: "This sign-in expired or was already used. Please sign in again.")
        }
        guard let domain = snapshot.domain(id: pending.domainID), let document = snapshot.snapshot.document(.authStrategy, pending.strategyID),
              let strategy = SAMLStrategy(document), strategy.domainID == domain.id else {
            logRefusal(request, "SAML callback", "strategy \(pending.strategyID) is gone")
            return ssoFailure(request, domain: requestDomain, continueURL: pending.continueURL, status: .notFound,
                              message: "This sign-in method no longer exists.")
        }
        func refuse(_ reason: String) -> Response {
            logRefusal(request, "SAML callback", "\(strategy.id): \(reason)")
            return ssoFailure(request, domain: domain, continueURL: pending.continueURL, status: .unauthorized,
                              message: "Sign-in through \(strategy.name) failed. Try again, or ask your administrator.")
        }
        guard let encoded = form["SAMLResponse"], let xml = Base64.decode(encoded.filter { !$0.isWhitespace }) else {
            return refuse("no SAMLResponse, or not base64")
        }
        let assertion: SAMLAssertion
        do {
            assertion = try SAMLResponseChecker(strategy: strategy, consumerURL: pending.redirectURI).check(xml, requestID: requestID, now: now)
        } catch {
            return refuse(error.description)
        }
        do {
            guard try singleSignOn.replays.claim(strategyID: strategy.id, assertionID: assertion.assertionID, until: assertion.expiresAt, now: now) else {
                return refuse("assertion \(assertion.assertionID.prefix(80)) was used before (replay)")
            }
        } catch {
            logger.log(.error, "auth: SAML replay cache: \(error)")
            return refuse("the replay cache cannot be written")
        }
        return finishSSO(request, identity: assertion.identity, domain: domain, strategyName: strategy.name,
                         continueURL: pending.continueURL, now: now)
    }

    /// `GET /auth/adfs/metadata?id=…`.
    func samlMetadata(_ request: Request) -> Response {
        let snapshot = directory.current
        guard let domain = snapshot.domain(forHost: request.headers["host"]),
              let document = snapshot.snapshot.document(.authStrategy, request.query("id") ?? ""),
              let strategy = SAMLStrategy(document), strategy.domainID == domain.id else {
            return ErrorRenderer.response(for: HTTPError(.notFound, "no such SAML strategy in this domain"), requestID: request.id,
                                          accept: request.headers["accept"])
        }
        var response = Response(status: .ok, body: Array(SAMLMessages.metadata(strategy: strategy, consumerURL: samlConsumerURL(request, strategy: strategy, domain: domain)).utf8))
        response.headers.set("Content-Type", "application/samlmetadata+xml")
        return response
    }

    /// `assertion_consumer_service_url`, else this server as the browser reached it.
    func samlConsumerURL(_ request: Request, strategy: SAMLStrategy, domain: DomainRecord) -> String {
        if !strategy.assertionConsumerServiceURL.isEmpty { return strategy.assertionConsumerServiceURL }
        return origin(request, domain: domain) + Self.samlCallbackPath + "?id=" + FormEncoding.encode(strategy.id)
    }
}
