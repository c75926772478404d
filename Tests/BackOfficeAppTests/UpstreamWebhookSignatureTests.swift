@testable import BackOfficeApp
import Testing
import WebServer

/// The upstream webhook's proofs (docs/git-workflows.md): GitHub's and Gitea's HMAC-SHA256 of the
/// body, GitLab's token; the vectors are HMAC-SHA256("It's a Secret to Everybody",
/// "Hello, World!"), GitHub's own documented example.
@Suite struct UpstreamWebhookSignatureTests {
    let secret = "It's a Secret to Everybody"
    let body = Array("Hello, World!".utf8)
    let digest = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

    @Test func githubSignatureAndDelivery() {
        let headers: HTTPHeaders = ["X-Hub-Signature-256": "sha256=" + digest, "X-GitHub-Delivery": "d-1"]
        #expect(UpstreamWebhookSignature.verify(headers: headers, body: body, secret: secret) == .verified(.github, delivery: "d-1"))
        #expect(UpstreamWebhookSignature.verify(headers: headers, body: body + [0x20], secret: secret) == .forged(.github))
        #expect(UpstreamWebhookSignature.verify(headers: headers, body: body, secret: secret + "x") == .forged(.github))
        #expect(UpstreamWebhookSignature.verify(headers: ["X-Hub-Signature-256": digest], body: body, secret: secret) == .forged(.github))
    }

    @Test func giteaSignature() {
        #expect(UpstreamWebhookSignature.verify(headers: ["X-Gitea-Signature": digest], body: body, secret: secret) == .verified(.gitea, delivery: nil))
        #expect(UpstreamWebhookSignature.verify(headers: ["X-Gitea-Signature": String(digest.dropLast()) + "0"], body: body, secret: secret)
                == .forged(.gitea))
    }

    @Test func gitlabToken() {
        #expect(UpstreamWebhookSignature.verify(headers: ["X-Gitlab-Token": secret, "X-Gitlab-Event-UUID": "u-1"], body: body, secret: secret)
                == .verified(.gitlab, delivery: "u-1"))
        #expect(UpstreamWebhookSignature.verify(headers: ["X-Gitlab-Token": "It's a secret"], body: body, secret: secret) == .forged(.gitlab))
        #expect(UpstreamWebhookSignature.verify(headers: ["X-Gitlab-Token": ""], body: body, secret: secret) == .forged(.gitlab))
    }

    @Test func noKnownHeaderIsUnsigned() {
        #expect(UpstreamWebhookSignature.verify(headers: ["X-Hub-Signature": "sha1=abc"], body: body, secret: secret) == .unsigned)
    }

    @Test func deliveriesAreRememberedUpToTheLimit() {
        let deliveries = RecentDeliveries(limit: 2)
        #expect(deliveries.insert("a") && deliveries.insert("b"))
        #expect(!deliveries.insert("a"))
        #expect(deliveries.insert("c"))
        #expect(deliveries.insert("a"))  // forgotten: the oldest went when "c" came
    }
}
