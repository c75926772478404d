#if canImport(Glibc)
#endif
import Auth
import ConfigRepo
import Foundation
import Glibc

/// `backoffice user add`: creates a user from the shell (the way to make the first admin
/// without the one-time link). The user object is committed to the configuration repository;
/// the password hash goes to `<state>/auth/passwords.json` only.
enum UserCommand: Command {
    static let name = "user"
    static let summary = "add a user with a password (user add)"
    static let help = """
        usage: backoffice user add --email E --name N [--admin|--support] --password-stdin
                                   [--domain authority-…] [--state DIR] [--repo DIR]

        Creates user E in the domain (default: the first domain) with the password read from
        standard input (one line). An existing user without a password gets the password
        (and the role, if higher). Nothing is written when the input is refused.

          --email E          the user's email (sign-in name)
          --name N           the user's display name
          --admin            make the user an administrator
          --support          make the user support staff
          --password-stdin   read the password from standard input (required: never argv)
          --domain ID        the domain (authority-…) the user belongs to
          --state DIR        the state directory (default: .backoffice)
          --repo DIR         the configuration repository (default: <state>/config)
        """
    static let arguments = ArgumentSpec(valueOptions: ["email", "name", "domain", "state", "repo", "author"],
                                        flagOptions: ["admin", "support", "password-stdin"], positionals: 1...1)

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        guard arguments.positionals[0] == "add" else {
            throw UsageError("unknown action \"\(arguments.positionals[0])\"; the action is `add`")
        }
        guard let email = arguments.value("email") else { throw UsageError("--email is required") }
        guard let name = arguments.value("name") else { throw UsageError("--name is required") }
        guard arguments.flag("password-stdin") else {
            throw UsageError("--password-stdin is required: passwords are never taken from the command line")
        }
        if arguments.flag("admin") && arguments.flag("support") { throw UsageError("give --admin or --support, not both") }
        let role: Role = arguments.flag("admin") ? .admin : arguments.flag("support") ? .support : .user
        var password = readLine(strippingNewline: true) ?? ""
        if password.hasSuffix("\r") { password.removeLast() }
        let context = try AuthCommandContext.open(arguments)
        let author = try arguments.value("author").map(Signature.parse) ?? .backoffice
        do {
            switch try context.writer.addUser(email: email, name: name, role: role, password: password,
                                              domainID: arguments.value("domain"), author: author) {
            case .created(let user):
                Terminal.print("created \(user.id) \(user.email) (\(user.role)) in \(user.domainID)")
            case .passwordSet(let user):
                // A new password (and maybe role) ends the user's sessions and tokens, in a running server too.
                do {
                    try SignOutEverywhere(authDirectory: context.authDirectory).signOut(user.id)
                } catch {
                    Terminal.error("backoffice user: the password is set, but the user's sessions could not be ended: \(error)")
                    return 1
                }
                Terminal.print("set the password of existing \(user.id) \(user.email) (\(user.role)); signed out everywhere")
            }
            return 0
        } catch .invalid(let message) {
            throw UsageError(message)
        } catch {
            Terminal.error("backoffice user: \(error); nothing written")
            return 1
        }
    }
}

/// What the identity commands open: the state directory's auth files and the configuration
/// repository (`--repo`, else `<state>/config`, created from the sample building if missing,
/// exactly as `serve` would).
struct AuthCommandContext {
    let repository: ConfigRepository
    let authDirectory: String
    let writer: AccountWriter

    static func open(_ arguments: ParsedArguments) throws -> AuthCommandContext {
        let state = StateDirectory.path(arguments)
        let repository = try Deployment.open(stateDirectory: state, repositoryPath: arguments.value("repo"),
                                             workingTreeUpdate: .immediate).repository
        let authDirectory = try StateFile.authDirectory(stateDirectory: state)
        let passwords = try PasswordStore(authDirectory: authDirectory)
        return AuthCommandContext(repository: repository, authDirectory: authDirectory,
                                  writer: AccountWriter(repository: repository, passwords: passwords))
    }
}
