#if canImport(Glibc)
import Glibc
#endif

/// Serves files from a directory: content types, ETag/Last-Modified validators with 304s,
/// `index.html` for directories, no listings, and no way out of the root (`..`, NUL, dot files and
/// symlinks that resolve outside are all refused).
struct StaticFiles: Sendable {
    /// The directory served.
    let root: String
    /// The URL path it is mounted at (`/backoffice`).
    let mountPath: String
    /// Files larger than this are refused (they would sit whole in memory).
    var maxFileBytes = 64 * 1024 * 1024

    init(root: String, mountPath: String) {
        self.root = root
        self.mountPath = mountPath
    }

    func respond(to request: Request) throws(HTTPError) -> Response {
        let mountDepth = mountPath.split(separator: "/").count
        let relative = request.pathSegments.dropFirst(mountDepth)
        for segment in relative where segment.hasPrefix(".") || segment.contains("/") || segment.utf8.contains(0) {
            throw HTTPError(.notFound)
        }
        guard let rootResolved = Self.realPath(root) else { throw HTTPError(.notFound) }
        var candidate = root + (relative.isEmpty ? "" : "/" + relative.joined(separator: "/"))
        guard var resolved = Self.realPath(candidate), Self.isInside(resolved, rootResolved) else { throw HTTPError(.notFound) }
        var info = stat()
        guard stat(resolved, &info) == 0 else { throw HTTPError(.notFound) }
        if info.st_mode & S_IFMT == S_IFDIR {
            guard request.path.hasSuffix("/") else {
                var location = request.path + "/"
                if let question = request.target.firstIndex(of: "?") { location += request.target[question...] }
                return Response.redirect(to: location, status: .movedPermanently)
            }
            candidate = resolved + "/index.html"
            guard let index = Self.realPath(candidate), Self.isInside(index, rootResolved), stat(index, &info) == 0 else {
                throw HTTPError(.notFound)
            }
            resolved = index
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw HTTPError(.notFound) }
        guard info.st_size <= maxFileBytes else { throw HTTPError(.payloadTooLarge, "file too large to serve") }

        let modifiedNanos = Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec)
        let etag = "\"" + String(Int(info.st_size), radix: 16) + "-" + String(modifiedNanos, radix: 16) + "\""
        var headers: HTTPHeaders = [
            "ETag": etag,
            "Last-Modified": HTTPDate.format(epochSeconds: Int(info.st_mtim.tv_sec)),
            "Cache-Control": "no-cache",
        ]
        if let match = request.headers["if-none-match"] {
            let tags = match.split(separator: ",").map { trimmed($0) }
            if tags.contains(where: { $0 == "*" || $0 == etag || $0 == "W/" + etag }) {
                return Response(status: .notModified, headers: headers)
            }
        } else if let since = request.headers["if-modified-since"].flatMap(HTTPDate.parse), Int(info.st_mtim.tv_sec) <= since {
            return Response(status: .notModified, headers: headers)
        }
        headers.set("Content-Type", Self.contentType(for: resolved))
        if request.method == .head {
            // The server keeps Content-Length for HEAD from this header and sends no body.
            headers.set("Content-Length", String(Int(info.st_size)))
            return Response(status: .ok, headers: headers)
        }
        guard let body = Self.readFile(resolved, size: Int(info.st_size)) else { throw HTTPError(.notFound) }
        return Response(status: .ok, headers: headers, body: body)
    }

    private static func isInside(_ path: String, _ root: String) -> Bool {
        path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func readFile(_ path: String, size: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        let ok = bytes.withUnsafeMutableBytes { raw -> Bool in
            while filled < size {
                let count = read(fd, raw.baseAddress! + filled, size - filled)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return false }
                filled += count
            }
            return true
        }
        return ok ? bytes : nil
    }

    static func contentType(for path: String) -> String {
        let name = path.split(separator: "/").last ?? ""
        let ext = name.split(separator: ".").count > 1 ? String(name.split(separator: ".").last!).lowercased() : ""
        return contentTypes[ext] ?? "application/octet-stream"
    }

    static let contentTypes: [String: String] = [
        "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8",
        "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8",
        "json": "application/json", "txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
        "webp": "image/webp", "ico": "image/x-icon", "woff": "font/woff", "woff2": "font/woff2",
        "xml": "application/xml", "pdf": "application/pdf", "wasm": "application/wasm", "map": "application/json",
    ]
}
