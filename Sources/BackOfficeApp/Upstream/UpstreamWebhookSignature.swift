import Crypto
import WebServer

/// Who sent an upstream webhook and whether it proves the shared secret (docs/git-workflows.md):
///
/// - GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`, delivery id `X-GitHub-Delivery`;
/// - Gitea (and Forgejo): `X-Gitea-Signature: <hex HMAC-SHA256(secret, body)>`, delivery id `X-Gitea-Delivery`;
/// - GitLab: `X-Gitlab-Token: <secret>` (GitLab signs nothing), delivery id `X-Gitlab-Event-UUID`.
///
/// Every comparison is constant-time. Pure: headers, body and secret in, a verdict out.
public enum UpstreamWebhookSignature {
    public enum Host: String, Sendable {
        case github, gitea, gitlab
    }

    public enum Verdict: Sendable, Equatable {
        /// The signature is right; `delivery` is the host's id of this delivery, when it sends one.
        case verified(Host, delivery: String?)
        /// No header of any known host.
        case unsigned
        /// The host's header is there and wrong.
        case forged(Host)
    }

    public static func verify(headers: HTTPHeaders, body: [UInt8], secret: String) -> Verdict {
        let key = Array(secret.utf8)
        if let header = headers["X-Hub-Signature-256"] {
            let expected = "sha256=" + Hex.encode(HMAC.code(.sha256, key: key, message: body))
            return ConstantTime.equal(header.lowercased(), expected) ? .verified(.github, delivery: headers["X-GitHub-Delivery"]) : .forged(.github)
        }
        if let header = headers["X-Gitea-Signature"] {
            let expected = Hex.encode(HMAC.code(.sha256, key: key, message: body))
            return ConstantTime.equal(header.lowercased(), expected) ? .verified(.gitea, delivery: headers["X-Gitea-Delivery"]) : .forged(.gitea)
        }
        if let header = headers["X-Gitlab-Token"] {
            // Compared as digests so the comparison takes as long whatever the lengths.
            let matches = ConstantTime.equal(HMAC.code(.sha256, key: key, message: Array(header.utf8)),
                                             HMAC.code(.sha256, key: key, message: key))
            return matches ? .verified(.gitlab, delivery: headers["X-Gitlab-Event-UUID"]) : .forged(.gitlab)
        }
        return .unsigned
    }
}
