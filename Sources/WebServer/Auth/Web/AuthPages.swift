/// The HTML of the sign-in, first-admin and consent pages. Plain strings with every value
/// escaped; the site's template engine can take over the markup (site-templates/auth/).
enum AuthPages {
    static func layout(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escapeHTML(title)) — BackOffice</title>
        <style>body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0}main{max-width:24rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;box-sizing:border-box}button{margin-top:1.2rem;padding:.6rem 1.2rem}.error{color:#a40000;background:#fdeaea;padding:.5rem;border-radius:4px}</style>
        </head><body><main>\(body)</main></body></html>

        """
    }

    static func signIn(domain: String, continueURL: String, csrf: String, email: String = "", error: String? = nil) -> String {
        layout(title: "Sign in", body: """
            <h1>Sign in</h1><p>\(escapeHTML(domain))</p>
            \(error.map { "<p class=\"error\" role=\"alert\">\(escapeHTML($0))</p>" } ?? "")
            <form class="edit" method="post" action="/auth/signin">
            <input type="hidden" name="csrf" value="\(escapeHTML(csrf))">
            <input type="hidden" name="continue" value="\(escapeHTML(continueURL))">
            <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="\(escapeHTML(email))">
            <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
            <button class="primary" type="submit">Sign in</button>
            </form>
            """)
    }

    static func firstAdmin(token: String, csrf: String, error: String? = nil) -> String {
        layout(title: "Create the first administrator", body: """
            <h1>First administrator</h1><p>This link works once. Choose the administrator's email and password.</p>
            \(error.map { "<p class=\"error\" role=\"alert\">\(escapeHTML($0))</p>" } ?? "")
            <form class="edit" method="post" action="/auth/first-admin">
            <input type="hidden" name="token" value="\(escapeHTML(token))">
            <input type="hidden" name="csrf" value="\(escapeHTML(csrf))">
            <label for="name">Name</label><input id="name" name="name" required>
            <label for="email">Email</label><input id="email" name="email" type="email" required>
            <label for="password">Password (at least \(PasswordHasher.minimumLength) characters)</label><input id="password" name="password" type="password" autocomplete="new-password" required>
            <button class="primary" type="submit">Create and sign in</button>
            </form>
            """)
    }

    static func consent(application: String, scopes: [String], fields: [String: String], csrf: String) -> String {
        let hidden = fields.sorted { $0.key < $1.key }.map {
            "<input type=\"hidden\" name=\"\(escapeHTML($0.key))\" value=\"\(escapeHTML($0.value))\">"
        }.joined()
        return layout(title: "Allow access", body: """
            <h1>Allow \(escapeHTML(application))?</h1>
            <p>\(escapeHTML(application)) asks to act as you with these scopes:</p>
            <ul>\(scopes.map { "<li>\(escapeHTML($0))</li>" }.joined())</ul>
            <form method="post" action="/auth/oauth/authorize">\(hidden)<input type="hidden" name="csrf" value="\(escapeHTML(csrf))">
            <button type="submit" name="decision" value="allow">Allow</button>
            <button type="submit" name="decision" value="deny">Deny</button>
            </form>
            """)
    }
}
