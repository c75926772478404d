import Testing
@testable import ConfigRepo

/// `auth/*.json`: SSO strategies say enough to sign anyone in (docs/config-format.md, "Auth strategy").
@Suite struct AuthStrategyValidationTests {
    static let box = SecretBox(secret: DeploymentSecret(bytes: Array(repeating: 7, count: 32)))

    func problems(_ members: [String: JSONValue], id: String) -> [String] {
        let path = "auth/\(id).json"
        var members = members
        members["authority_id"] = members["authority_id"] ?? "authority-harbourpoint"
        let sealed = SecretSealer(box: Self.box).seal(ConfigDocument(ref: ObjectRef(.authStrategy, id), members: members, version: nil, path: path))
        let snapshot = SampleConfig.snapshot([path: sealed.members])
        return Validator(snapshot: snapshot).validateAll().map(\.description).filter { $0.hasPrefix("auth/") }
    }

    @Test func openIDDiscoveryNeedsAClientAndASite() {
        #expect(problems(["name": "Entra", "client_id": "abc", "client_secret": "s", "site": "https://login.microsoftonline.com/t/v2.0"],
                         id: "oauth_strat-entra") == [])
        let missing = problems(["name": "Entra"], id: "oauth_strat-entra")
        #expect(missing.contains { $0.contains("client_id") && $0.contains("is required") })
        #expect(missing.contains { $0.contains("site") && $0.contains("is required") })
        #expect(problems(["name": "x", "client_id": "a", "site": "login.example.com"], id: "oauth_strat-x")
            .contains { $0.contains("site") && $0.contains("absolute http(s) URL") })
    }

    @Test func plainOAuth2NeedsBothEndpointsAndWhoSignedIn() {
        #expect(problems(["name": "GitHub", "client_id": "a", "site": "https://github.com", "authorize_url": "/login/oauth/authorize",
                          "token_url": "/login/oauth/access_token", "raw_info_url": "https://api.github.com/user"], id: "oauth_strat-gh") == [])
        let found = problems(["name": "x", "client_id": "a", "authorize_url": "https://idp.example/authorize"], id: "oauth_strat-x")
        #expect(found.contains { $0.contains("token_url") })
        #expect(found.contains { $0.contains("raw_info_url") })
        #expect(problems(["name": "x", "client_id": "a", "authorize_url": "/authorize", "token_url": "/token", "raw_info_url": "/me"],
                         id: "oauth_strat-x").contains { $0.contains("authorize_url") && $0.contains("needs site") })
    }

    @Test func samlNeedsIssuerTargetAndCertificate() {
        let found = problems(["name": "ADFS"], id: "adfs_strat-corp")
        #expect(found.contains { $0.contains("issuer") })
        #expect(found.contains { $0.contains("idp_sso_target_url") })
        #expect(found.contains { $0.contains("idp_cert") })
        #expect(problems(["name": "ADFS", "issuer": "https://bo.example/saml", "idp_sso_target_url": "https://adfs.example/adfs/ls",
                          "idp_cert_fingerprint": "AB:CD"], id: "adfs_strat-corp") == [])
    }

    @Test func theClientSecretIsSealedAndAPlainOneRefused() {
        let sealed = SecretSealer(box: Self.box).seal(ConfigDocument(ref: ObjectRef(.authStrategy, "oauth_strat-x"),
                                                                     members: ["client_secret": "s3cret"], version: nil, path: "auth/oauth_strat-x.json"))
        #expect(SecretBox.isEnvelope(sealed.string("client_secret") ?? ""))
        let snapshot = SampleConfig.snapshot(["auth/oauth_strat-x.json": ["name": "x", "authority_id": "authority-harbourpoint",
                                                                           "client_id": "a", "site": "https://idp.example", "client_secret": "plain"]])
        #expect(Validator(snapshot: snapshot).validateAll().contains { $0.path == "auth/oauth_strat-x.json" && $0.description.contains("client_secret") })
    }
}
