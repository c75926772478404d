#if canImport(Glibc)
import Glibc
#endif
import ConfigRepo
import Foundation

/// Where a deployment follows its configuration from (docs/git-workflows.md, "Following an
/// upstream"): `serve --upstream URL [--upstream-branch B] [--upstream-poll S]`. The
/// credentials and the webhook secret live in `<state>/upstream.json`, mode 0600, never in
/// the configuration repository: they unlock that repository, so a commit that broke them
/// could not be fetched to fix them, and the state directory is where the deployment secret
/// already lives.
///
///     {"username": "deploy-bot", "password": "<token>", "webhook_secret": "<shared secret>"}
public struct UpstreamSettings: Sendable {
    public static let fileName = "upstream.json"

    public var url: String
    public var branch: String
    /// Seconds between fetches; 0: only on a webhook (and at start).
    public var pollSeconds: Double
    public var credentials: GitCredentials
    /// The secret webhooks must prove; nil: the webhook endpoint refuses every call.
    public var webhookSecret: String?

    public init(url: String, branch: String = "main", pollSeconds: Double = 60, credentials: GitCredentials = .none,
                webhookSecret: String? = nil) {
        self.url = url
        self.branch = branch
        self.pollSeconds = pollSeconds
        self.credentials = credentials
        self.webhookSecret = webhookSecret
    }

    /// The settings for `url`, with the credentials of `<stateDirectory>/upstream.json` when
    /// it exists. A file others may read, or one that is not the JSON above, is an error that
    /// names the file and what is wrong.
    public static func load(url: String, branch: String, pollSeconds: Double, stateDirectory: String) throws(UpstreamSettingsError) -> UpstreamSettings {
        var settings = UpstreamSettings(url: url, branch: branch, pollSeconds: pollSeconds)
        guard url.hasPrefix("http://") || url.hasPrefix("https://") || url.hasPrefix("ssh://") || url.hasPrefix("file://") || url.hasPrefix("/") else {
            throw UpstreamSettingsError("--upstream \(url): not a git URL (http://, https://, ssh://, file:// or a path)")
        }
        if url.contains("@"), let scheme = url.range(of: "://"), url[scheme.upperBound...].prefix(while: { $0 != "/" }).contains("@") {
            throw UpstreamSettingsError("--upstream: put the user name and password in \(stateDirectory)/\(fileName), not in the URL (it is shown and logged)")
        }
        let path = stateDirectory + "/" + fileName
        var info = stat()
        guard lstat(path, &info) == 0 else { return settings }
        guard info.st_mode & 0o077 == 0 else {
            throw UpstreamSettingsError("\(path): readable by others (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw UpstreamSettingsError("\(path): cannot be read") }
        let members: [String: JSONValue]
        do {
            guard let object = try JSONParser.parse(Array(data)).objectValue else { throw UpstreamSettingsError("\(path): not a JSON object") }
            members = object
        } catch let error as UpstreamSettingsError {
            throw error
        } catch {
            throw UpstreamSettingsError("\(path): \(error)")
        }
        for (key, value) in members {
            guard ["username", "password", "webhook_secret"].contains(key) else {
                throw UpstreamSettingsError("\(path): unknown key \"\(key)\" (username, password, webhook_secret)")
            }
            guard value.stringValue != nil else { throw UpstreamSettingsError("\(path): \(key): must be a string") }
        }
        settings.credentials = GitCredentials(username: members["username"]?.stringValue, password: members["password"]?.stringValue)
        settings.webhookSecret = members["webhook_secret"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        return settings
    }
}

public struct UpstreamSettingsError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
