import ConfigRepo
import WebServer

/// PlaceOS's `POST users/resource_token`: the caller's access token at the OAuth2 / OpenID
/// provider they last signed in through (kept by `ResourceTokenStore`), for delegated access in
/// their name. A token with more than five minutes left is answered as it is; one closer to
/// its expiry is refreshed at the provider with the refresh token, and the new tokens kept.
extension AuthService {
    /// Why no token can be given, as the REST API answers it.
    public enum ResourceTokenFailure: Error, Equatable {
        /// 404: the user never signed in through an OAuth provider that gave a token, or it
        /// expired and there is no refresh token.
        case none(String)
        /// 502: the provider refused or could not be reached to refresh an expired token.
        case provider(String)
    }

    /// The route's answer: `{token, expires}` for the signed-in caller; 404 or 502 `{error}`.
    func resourceTokenResponse(_ request: Request) -> Response {
        guard request.principal.isAuthenticated else {
            return .json(JSONWriter.compactString(.object(["error": "sign in required"])), status: .unauthorized)
        }
        return resourceTokenResponse(for: request.principal.userID)
    }

    /// PlaceOS's `POST users/:id/resource_token`: another user's token, for an admin whose
    /// token or API key names the users scope explicitly (a browser session, unrestricted by
    /// scopes, is refused: handing out someone's provider token must be a deliberate grant).
    func userResourceTokenResponse(_ request: Request) -> Response {
        switch adminTarget(request) {
        case .success(let userID): return resourceTokenResponse(for: userID)
        case .failure(let refusal): return refusal.response
        }
    }

    /// `DELETE users/:id/resource_token`: forgets the user's kept provider tokens (202); the
    /// next single sign-on gives new ones. Admins only.
    func deleteUserResourceTokenResponse(_ request: Request) -> Response {
        guard request.principal.isAuthenticated else { return Self.refusal(.unauthorized, "sign in required") }
        guard request.principal.has(.admin) else { return Response(status: .forbidden) }
        guard let user = targetUser(request) else { return Self.refusal(.notFound, "user \(request.parameter("id") ?? "") does not exist") }
        do { try resourceTokens.remove(user) } catch {
            logger.log(.error, "auth: forgetting the resource token of \(user) failed: \(error)")
            return Self.refusal(.internalServerError, "the token could not be forgotten")
        }
        logger.log(.info, "auth: \(request.principal.userID) made the server forget the resource token of \(user)")
        return Response(status: HTTPStatus(202))
    }

    private struct Refusal: Error {
        let response: Response
    }

    /// The user `:id` names (an id, email or login name in the caller's domain), when the
    /// caller is an admin whose credential names the users scope.
    private func adminTarget(_ request: Request) -> Result<String, Refusal> {
        let principal = request.principal
        guard principal.isAuthenticated else { return .failure(Refusal(response: Self.refusal(.unauthorized, "sign in required"))) }
        guard principal.has(.admin) else { return .failure(Refusal(response: Response(status: .forbidden))) }
        guard let scopes = principal.scopes, scopes.contains(where: { $0 == "users" || $0.hasPrefix("users.") }) else {
            return .failure(Refusal(response: Self.refusal(.forbidden, "another user's token needs a credential with the users scope named explicitly")))
        }
        guard let user = targetUser(request) else {
            return .failure(Refusal(response: Self.refusal(.notFound, "user \(request.parameter("id") ?? "") does not exist")))
        }
        logger.log(.info, "auth: \(principal.userID) asked for the resource token of \(user)")
        return .success(user)
    }

    /// `:id` as a user id, or an email or login name of the caller's domain.
    private func targetUser(_ request: Request) -> String? {
        let id = request.parameter("id") ?? ""
        let current = directory.current
        if let user = current.user(id: id) { return user.id }
        let domain = request.principal.domainID ?? ""
        if let user = current.user(email: id, domainID: domain) { return user.id }
        return current.snapshot.all(.user).first { $0.string("login_name") == id && $0.string("authority_id") == domain
            && $0.bool("deleted") != true }?.id
    }

    private static func refusal(_ status: HTTPStatus, _ message: String) -> Response {
        .json(JSONWriter.compactString(.object(["error": .string(message)])), status: status)
    }

    private func resourceTokenResponse(for userID: String) -> Response {
        switch resourceToken(for: userID) {
        case .success(let answer):
            var response = Response.json(JSONWriter.compactString(.object(["token": .string(answer.token),
                                                                            "expires": answer.expires.map(JSONValue.int) ?? .null])))
            response.headers.set("Cache-Control", "no-store")
            return response
        case .failure(.none(let reason)):
            return .json(JSONWriter.compactString(.object(["error": .string(reason)])), status: .notFound)
        case .failure(.provider(let reason)):
            return .json(JSONWriter.compactString(.object(["error": .string(reason)])), status: HTTPStatus(502))
        }
    }

    /// How long before its expiry a token is refreshed (PlaceOS: five minutes).
    static let resourceTokenMargin = 300

    /// `userID`'s provider token and its expiry (Unix seconds, nil when the provider gave none).
    public func resourceToken(for userID: String) -> Result<(token: String, expires: Int?), ResourceTokenFailure> {
        let now = clock()
        guard let kept = resourceTokens.tokens(of: userID) else {
            return .failure(.none("no single sign-on token: sign in through the organisation's OAuth provider first"))
        }
        guard let expires = kept.expiresAt else { return .success((kept.accessToken, nil)) }
        if expires > now + Self.resourceTokenMargin { return .success((kept.accessToken, expires)) }
        // Still valid (clock drift allowed for) is still worth answering if a refresh fails.
        let stillValid = expires > now + 15
        guard let refreshToken = kept.refreshToken else {
            return stillValid ? .success((kept.accessToken, expires)) : .failure(.none("the single sign-on token expired and there is no refresh token"))
        }
        switch refresh(kept, refreshToken: refreshToken, now: now) {
        case .success(let fresh):
            do { try resourceTokens.save(fresh, for: userID) } catch {
                logger.log(.error, "auth: keeping the refreshed resource token of \(userID) failed: \(error)")
            }
            return .success((fresh.accessToken, fresh.expiresAt))
        case .failure(let failure):
            logger.log(.warning, "auth: refreshing the resource token of \(userID) at \(kept.strategyID) failed: \(failure)")
            return stillValid ? .success((kept.accessToken, expires)) : .failure(.provider("the single sign-on provider did not refresh the token"))
        }
    }

    /// The tokens a `refresh_token` grant at the strategy's token endpoint gives.
    private func refresh(_ kept: ResourceTokenStore.Tokens, refreshToken: String, now: Int) -> Result<ResourceTokenStore.Tokens, OAuthFailure> {
        guard let document = directory.current.snapshot.document(.authStrategy, kept.strategyID), let strategy = OAuthStrategy(document) else {
            return .failure(OAuthFailure("strategy \(kept.strategyID) is gone"))
        }
        do throws(OAuthFailure) {
            let endpoints: ProviderEndpoints
            do { endpoints = try singleSignOn.providers.endpoints(of: strategy, now: now) } catch { throw OAuthFailure("discovery: \(error)") }
            let client = try strategy.clientAuthentication(secretBox: secretBox)
            var form = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)] + client.form
            if !strategy.requestedScope.isEmpty { form.append(("scope", strategy.requestedScope)) }
            let answer: OutgoingHTTP.Response
            do { answer = try singleSignOn.providers.http.post(endpoints.token, form: form, headers: client.headers) } catch {
                throw OAuthFailure("token endpoint: \(error)")
            }
            guard answer.status == 200, let members = (try? JSONParser.parse(answer.body))?.objectValue,
                  let access = members["access_token"]?.stringValue else {
                throw OAuthFailure("token endpoint answered \(answer.status) to the refresh")
            }
            return .success(ResourceTokenStore.Tokens(accessToken: access, refreshToken: members["refresh_token"]?.stringValue ?? refreshToken,
                                                      expiresAt: members["expires_in"]?.intValue.map { now + $0 }, strategyID: strategy.id))
        } catch {
            return .failure(error)
        }
    }
}
