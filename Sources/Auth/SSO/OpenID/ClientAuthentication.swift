import ConfigRepo
import Crypto
import SiteGen

extension OAuthStrategy {
    /// How this strategy authenticates to the provider's token endpoint: the client secret
    /// opened from its envelope, sent as HTTP Basic (`auth_scheme: basic_auth`) or in the form
    /// with the client id (the default). Used by sign-in's code exchange and by a resource
    /// token's refresh.
    func clientAuthentication(secretBox: SecretBox?) throws(AuthService.OAuthFailure) -> (form: [(String, String)], headers: [(String, String)]) {
        let secret: String?
        if let sealed = sealedClientSecret {
            guard SecretBox.isEnvelope(sealed), let box = secretBox,
                  let value = try? box.open(sealed, binding: .field(objectID: id, path: "client_secret")),
                  let plain = value.stringValue else { throw AuthService.OAuthFailure("client_secret cannot be opened (not sealed, or another deployment's)") }
            secret = plain
        } else {
            secret = nil
        }
        if authScheme == "basic_auth", let secret {
            let pair = FormEncoding.encode(clientID) + ":" + FormEncoding.encode(secret)
            return ([], [("Authorization", "Basic " + Base64.encode(Array(pair.utf8)))])
        }
        var form = [("client_id", clientID)]
        if let secret { form.append(("client_secret", secret)) }
        return (form, [])
    }
}
