import ConfigRepo
import Foundation

/// A repository of the configuration as the runtime fetches it (`repositories/<id>.json`):
/// where it is, which branch it follows, which commit it is pinned to, and its credentials
/// (the sealed `password` opened).
public struct RepositorySource: Sendable, Hashable {
    public enum Kind: String, Sendable {
        case driver
        case interface
    }

    public var id: String
    public var kind: Kind
    public var uri: String
    /// The branch to follow; nil follows the remote's default branch.
    public var branch: String?
    /// `commit_hash` when it pins a commit; nil for `HEAD` (follow the branch).
    public var pinnedCommit: String?
    public var folderName: String
    public var credentials: GitCredentials

    public init(id: String, kind: Kind, uri: String, branch: String? = nil, pinnedCommit: String? = nil,
                folderName: String, credentials: GitCredentials = .none) {
        self.id = id
        self.kind = kind
        self.uri = uri
        self.branch = branch.flatMap { $0.isEmpty ? nil : $0 }
        self.pinnedCommit = Self.pin(pinnedCommit)
        self.folderName = folderName
        self.credentials = credentials
    }

    /// The source of a repository document, or nil when it is not fetched with git (`bundled:`
    /// and `file://` repositories are folders on this machine). A password that cannot be
    /// opened is dropped: the fetch then says the remote wants credentials.
    public init?(_ document: ConfigDocument, box: SecretBox) {
        guard let uri = document.string("uri"), Self.isFetched(uri) else { return nil }
        var password: String?
        if let sealed = document.string("password"), !sealed.isEmpty {
            password = sealed.hasPrefix("enc:")
                ? (try? box.open(sealed, binding: .field(objectID: document.id, path: "password")))?.stringValue
                : sealed
        }
        self.init(id: document.id, kind: document.string("repo_type") == "interface" ? .interface : .driver, uri: uri,
                  branch: document.string("branch"), pinnedCommit: document.string("commit_hash"),
                  folderName: document.string("folder_name") ?? document.id,
                  credentials: GitCredentials(username: document.string("username"), password: password))
    }

    /// `uri` without a password written into it (`https://user:token@host/…` → `https://user@host/…`),
    /// for messages and logs.
    public var displayURI: String {
        guard let scheme = uri.range(of: "://") else { return uri }
        let rest = uri[scheme.upperBound...]
        guard let at = rest.firstIndex(of: "@"), !rest[..<at].contains("/"), let colon = rest[..<at].firstIndex(of: ":") else { return uri }
        return String(uri[..<scheme.upperBound]) + rest[..<colon] + rest[at...]
    }

    /// `text` with this repository's secrets (its password, a password inside its uri) hidden.
    public func redacted(_ text: String) -> String {
        var text = text.replacingOccurrences(of: uri, with: displayURI)
        if let password = credentials.password, password.count >= 3 { text = text.replacingOccurrences(of: password, with: "[hidden]") }
        return text
    }

    /// Whether `uri` is fetched with git: http(s), ssh, git and absolute paths; not the
    /// `bundled:` repository or `file://` folders of ready-to-run drivers.
    public static func isFetched(_ uri: String) -> Bool {
        !uri.hasPrefix("bundled:") && !uri.hasPrefix("file://") && !uri.isEmpty
    }

    /// A commit pin: nil for empty or `HEAD`.
    static func pin(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.uppercased() != "HEAD" else { return nil }
        return value
    }
}
