import Foundation
import Runtime
import WebServer

/// The interface repositories' web apps at `/<folder_name>/` (PlaceOS's frontend loader): the
/// files of the checked-out commit with their content types and validators; a client-side route
/// (a path whose last part has no extension) gets the app's `index.html`; nothing outside the
/// checkout is served. The checkout moves on each fetch or pin change (`InterfaceCheckouts`), so
/// the next request sees the new tree. Public, like PlaceOS's: docs/driver-repositories.md
/// "Serving interfaces". Every other route is more specific, so `/backoffice/`, `/api/` and
/// `/auth/` are never an interface's.
struct InterfaceApps: Feature {
    let repositories: DriverRepositories

    func mount(on router: inout Router) {
        // Only the folders served now match: any other path stays unknown (404 for every method).
        router.add(.get, "/:folder/*", where: { [repositories] in repositories.interfaceDirectory(folder: $0["folder"] ?? "") != nil },
                   blocking: { [self] request in try serve(request) })
    }

    func serve(_ request: Request) throws -> Response {
        let folder = request.parameter("folder") ?? ""
        guard let root = repositories.interfaceDirectory(folder: folder) else { throw HTTPError(.notFound) }
        // The app's relative links need the folder's slash form.
        if request.pathSegments.count == 1 && !request.path.hasSuffix("/") {
            var location = request.path + "/"
            if let question = request.target.firstIndex(of: "?") { location += request.target[question...] }
            return .redirect(to: location, status: .movedPermanently)
        }
        let path = request.pathSegments.dropFirst().joined(separator: "/")
        guard let file = InterfaceFiles.file(for: path, in: root), file.hasPrefix(root + "/") else { throw HTTPError(.notFound) }
        let relative = String(file.dropFirst(root.count + 1))
        let encoded = relative.split(separator: "/").map { part in
            String(part).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? ""
        }
        let target = "/" + folder + "/" + encoded.joined(separator: "/")
        let rewritten = try Request(method: request.method, target: target, headers: request.headers, id: request.id)
        return try StaticFiles(root: root, mountPath: "/" + folder).respond(to: rewritten)
    }
}
