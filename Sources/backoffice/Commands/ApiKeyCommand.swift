#if canImport(Glibc)
#endif
import Auth
import ConfigRepo
import Glibc

/// `backoffice api-key create`: makes an API key for a user and prints `<id>.<secret>` once.
/// Only a salted hash of the secret is committed (`api-keys/<id>.json`).
enum ApiKeyCommand: Command {
    static let name = "api-key"
    static let summary = "create an API key for a user (api-key create)"
    static let help = """
        usage: backoffice api-key create --user E --name N [--scope S]… [--expires DAYS]
                                         [--permissions 0-3] [--state DIR] [--repo DIR]

        Creates an API key for the user with email E and prints the key `<id>.<secret>` on
        standard output. It is shown this once: only a salted hash is stored. Send it as the
        `X-API-Key` header (or `?api-key=` for WebSocket clients).

          --user E          the owner's email
          --name N          a name for the key (unique per domain)
          --scope S         a scope: public, or <resource>[.read|.write]; comma-separated for several (default: public)
          --expires DAYS    the key stops working after DAYS days (default: never)
          --permissions P   override the owner's role: 0 user, 1 support, 2 admin (never above the owner's)
          --state DIR       the state directory (default: .backoffice)
          --repo DIR        the configuration repository (default: <state>/config)
        """
    static let arguments = ArgumentSpec(valueOptions: ["user", "name", "scope", "expires", "permissions", "state", "repo", "author"],
                                        positionals: 1...1)

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        guard arguments.positionals[0] == "create" else {
            throw UsageError("unknown action \"\(arguments.positionals[0])\"; the action is `create`")
        }
        guard let user = arguments.value("user") else { throw UsageError("--user is required") }
        guard let name = arguments.value("name") else { throw UsageError("--name is required") }
        let scopes = (arguments.value("scope") ?? "").split(separator: ",").map { String($0).trimmingCharacters() }
        let days = try arguments.integer("expires", in: 1...3650)
        let permissions = try arguments.integer("permissions", in: 0...3)
        let context = try AuthCommandContext.open(arguments)
        let author = try arguments.value("author").map(Signature.parse) ?? .backoffice
        do {
            let (record, key) = try context.writer.createAPIKey(userEmail: user, name: name, scopes: scopes, expiresInDays: days,
                                                                permissions: permissions, now: Int(time(nil)), author: author)
            Terminal.print(key)
            Terminal.error("API key \(record.id) for \(user), scopes \(record.scopes.joined(separator: " "))"
                           + (record.expiresAt.map { ", expires at \($0)" } ?? "") + "; the key is shown only this once")
            return 0
        } catch .invalid(let message) {
            throw UsageError(message)
        } catch {
            Terminal.error("backoffice api-key: \(error); nothing written")
            return 1
        }
    }
}

private extension String {
    func trimmingCharacters() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
