import SiteGen
import WebServer

/// The sign-in, first-admin and consent pages: the templates `site-templates/auth/*.html`
/// inside the site's `layout` (same stylesheet), without the site's navigation. Every value is
/// escaped by the template engine.
public struct AuthPages: Sendable {
    let library: TemplateLibrary?

    /// `library` must hold `layout`, `auth/signin`, `auth/first-admin`, `auth/consent` and
    /// `auth/signout`; nil
    /// (benchmarks, tests that never show a page) answers pages with a plain-text notice.
    public init(library: TemplateLibrary?) {
        self.library = library
    }

    /// An SSO button of the sign-in page.
    struct Provider: Sendable {
        var name: String
        var link: String
    }

    func signIn(domain: String, continueURL: String, csrf: String, email: String = "", error: String? = nil,
                providers: [Provider] = [], passwordForm: Bool = true) -> String {
        render("auth/signin", title: "Sign in", [
            "domain": .string(domain), "continueURL": .string(continueURL), "csrf": .string(csrf), "email": .string(email),
            "error": .optional(error), "passwordForm": .bool(passwordForm),
            "providers": .list(providers.map { ["name": .string($0.name), "link": .string($0.link)] }),
        ])
    }

    func firstAdmin(token: String, csrf: String, error: String? = nil) -> String {
        render("auth/first-admin", title: "Create the first administrator", [
            "token": .string(token), "csrf": .string(csrf), "error": .optional(error),
            "minimumLength": .int(PasswordHasher.minimumLength),
        ])
    }

    /// The sign-out page: a button that posts the sign-out (and one for every device).
    func signOut(signedIn: Bool) -> String {
        render("auth/signout", title: "Sign out", ["signedIn": .bool(signedIn)])
    }

    func consent(application: String, scopes: [String], fields: [String: String], csrf: String) -> String {
        render("auth/consent", title: "Allow access", [
            "application": .string(application), "scopes": .list(scopes.map { .string($0) }), "csrf": .string(csrf),
            "hidden": .list(fields.sorted { $0.key < $1.key }.map { ["name": .string($0.key), "value": .string($0.value)] }),
        ])
    }

    private func render(_ template: String, title: String, _ values: [String: TemplateValue]) -> String {
        guard let library else { return "<!doctype html><title>\(escapeHTML(title))</title><p>The site templates are not loaded.</p>" }
        var members = values
        members["title"] = .string(title)
        members["nav"] = .list([])
        members["notices"] = .html(TrustedHTML(trusted: ""))
        members["assets"] = .string(SiteURL.assets)
        do {
            return String(decoding: try library.renderPage(template, .object(members)), as: UTF8.self)
        } catch {
            return "<!doctype html><title>\(escapeHTML(title))</title><p>The page template failed: \(escapeHTML(error.description))</p>"
        }
    }
}
