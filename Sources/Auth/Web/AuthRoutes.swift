import ConfigRepo
import WebServer

/// The `/auth/…` and discovery routes with their access rules (the rules join
/// `AccessPolicy.standard`).
public enum AuthRoutes {
    public struct Entry: Sendable {
        public var method: HTTPMethod
        public var pattern: String
        public var rule: AccessRule
    }

    public static let jwksPath = "/.well-known/jwks.json"

    public static let routes: [Entry] = [
        Entry(method: .get, pattern: "/auth/signin", rule: .public),
        Entry(method: .post, pattern: "/auth/signin", rule: .public),
        Entry(method: .get, pattern: "/auth/signout", rule: .public),
        Entry(method: .post, pattern: "/auth/signout", rule: .public),
        Entry(method: .get, pattern: "/auth/first-admin", rule: .public),
        Entry(method: .post, pattern: "/auth/first-admin", rule: .public),
        Entry(method: .get, pattern: "/auth/authority", rule: .public),
        Entry(method: .get, pattern: "/auth/login", rule: .public),
        Entry(method: .get, pattern: "/auth/oauth2", rule: .public),
        Entry(method: .get, pattern: AuthService.oauthCallbackPath, rule: .public),
        Entry(method: .get, pattern: "/auth/adfs", rule: .public),
        Entry(method: .post, pattern: AuthService.samlCallbackPath, rule: .public),
        Entry(method: .get, pattern: AuthService.samlMetadataPath, rule: .public),
        Entry(method: .get, pattern: "/auth/oauth/authorize", rule: .signedIn),
        Entry(method: .post, pattern: "/auth/oauth/authorize", rule: .signedIn),
        Entry(method: .post, pattern: "/auth/oauth/token", rule: .public),
        Entry(method: .post, pattern: "/auth/oauth/revoke", rule: .public),
        Entry(method: .get, pattern: "/.well-known/openid-configuration", rule: .public),
        Entry(method: .get, pattern: jwksPath, rule: .public),
    ]

    /// Pages, password checks (scrypt) and state-file writes block: they run on
    /// `BlockingWorkers`. The discovery documents and the authority are in-memory answers.
    static func add(to router: inout Router, service: AuthService) {
        router.get("/auth/signin", blocking: { request in service.signInPage(request) })
        router.post("/auth/signin", blocking: { request in try service.signIn(request) })
        router.get("/auth/signout", blocking: { request in service.signOutPage(request) })
        router.post("/auth/signout", blocking: { request in service.signOut(request) })
        router.get("/auth/first-admin", blocking: { request in service.firstAdminPage(request) })
        router.post("/auth/first-admin", blocking: { request in try service.createFirstAdmin(request) })
        router.add(.get, "/auth/authority", immediate: { request in service.authority(request) })
        // SSO talks to the identity provider (discovery, token, keys) and may commit a user.
        router.get("/auth/login", blocking: { request in service.startSSO(request, provider: nil) })
        router.get("/auth/oauth2", blocking: { request in service.startSSO(request, provider: "oauth2") })
        router.get(AuthService.oauthCallbackPath, blocking: { request in service.finishOAuth(request) })
        router.get("/auth/adfs", blocking: { request in service.startSSO(request, provider: "adfs") })
        // The IdP's page posts the response here, cross-site: checked by signature, request id and relay state.
        router.post(AuthService.samlCallbackPath, blocking: { request in service.finishSAML(request) })
        router.add(.get, AuthService.samlMetadataPath, immediate: { request in service.samlMetadata(request) })
        router.get("/auth/oauth/authorize", blocking: { request in service.authorize(request, form: nil) })
        router.post("/auth/oauth/authorize", blocking: { request in service.authorize(request, form: try FormBody.parse(request)) })
        router.post("/auth/oauth/token", blocking: { request in service.token(request) })
        router.post("/auth/oauth/revoke", blocking: { request in service.revoke(request) })
        router.add(.get, "/.well-known/openid-configuration", immediate: { request in service.openIDConfiguration(request) })
        router.add(.get, jwksPath, immediate: { _ in service.jwks() })
        // PlaceOS's REST route, here because the tokens are the sign-in's (its rule is the REST table's).
        router.post(resourceTokenPath, blocking: { request in service.resourceTokenResponse(request) })
        router.post(userResourceTokenPath, blocking: { request in service.userResourceTokenResponse(request) })
        router.add(.delete, userResourceTokenPath, blocking: { request in service.deleteUserResourceTokenResponse(request) })
    }

    /// `POST /api/engine/v2/users/resource_token` (`ResourceTokens.swift`).
    public static let resourceTokenPath = "/api/engine/v2/users/resource_token"
    /// `POST|DELETE /api/engine/v2/users/:id/resource_token`: another user's, for admins.
    public static let userResourceTokenPath = "/api/engine/v2/users/:id/resource_token"
}
