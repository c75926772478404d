#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Serves files from a directory: content types, ETag/Last-Modified validators with 304s,
/// `index.html` for directories, no listings, and no way out of the root (`..`, NUL, dot files and
/// symlinks that resolve outside are all refused).
public struct StaticFiles: Sendable {
    /// The directory served.
    public let root: String
    /// The URL path it is mounted at (`/backoffice`).
    public let mountPath: String
    /// Files larger than this are refused (they would sit whole in memory).
    var maxFileBytes = 64 * 1024 * 1024

    /// Small files already checked and read (kept fresh by inotify, or one `stat` per use).
    private let cache = StaticFileCache.shared

    /// Serves `root` at `mountPath` (what `Router.mountStatic` does; handlers that serve some
    /// files themselves use it directly).
    public init(root: String, mountPath: String) {
        self.root = root
        self.mountPath = mountPath
        mountDepth = mountPath.utf8.split(separator: UInt8(ascii: "/")).count
    }

    /// How many path segments the mount path has.
    private let mountDepth: Int

    /// The file the request names under the mount path (GET and HEAD), a 304, a redirect to the
    /// directory's slash form, or 404.
    public func respond(to request: Request) throws(HTTPError) -> Response {
        let relative = request.pathSegments.dropFirst(mountDepth)
        for segment in relative {
            let bytes = segment.utf8
            if bytes.first == UInt8(ascii: ".") || bytes.contains(where: { $0 == UInt8(ascii: "/") || $0 == 0 }) {
                throw HTTPError(.notFound)
            }
        }
        // Built in one allocation: this runs for every request, cached or not.
        let slash = request.path.utf8.last == UInt8(ascii: "/")
        var candidate = root
        candidate.reserveCapacity(root.utf8.count + relative.reduce(1) { $0 + 1 + $1.utf8.count })
        for segment in relative {
            candidate.append("/")
            candidate.append(segment)
        }
        // A directory's entry is its index.html, which must not answer the path without its slash.
        let key = slash ? candidate + "/" : candidate
        if let cached = cache.lookup(key) {
            return respond(to: request, file: cached)
        }
        guard let rootResolved = Self.realPath(root) else { throw HTTPError(.notFound) }
        guard var resolved = Self.realPath(candidate), Self.isInside(resolved, rootResolved) else { throw HTTPError(.notFound) }
        var info = stat()
        guard stat(resolved, &info) == 0 else { throw HTTPError(.notFound) }
        // Reached without a symlink: inotify on its directories can keep the cached copy fresh.
        var watchable = resolved == candidate
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
            watchable = watchable && index == candidate
            resolved = index
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw HTTPError(.notFound) }
        guard info.st_size <= maxFileBytes else { throw HTTPError(.payloadTooLarge, "file too large to serve") }
        let cacheable = request.method != .head || info.st_size <= StaticFileCache.maxCachedBytes
        // Watch first, then look: a change after this point is seen by the cache.
        let ticket = cacheable ? cache.prepare(realPath: resolved, watchable: watchable) : nil
        if ticket != nil {
            guard stat(resolved, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { throw HTTPError(.notFound) }
        }

        let modifiedNanos = Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec)
        var file = StaticFileCache.File(
            identity: StaticFileCache.Identity(info),
            etag: "\"" + String(Int(info.st_size), radix: 16) + "-" + String(modifiedNanos, radix: 16) + "\"",
            lastModified: HTTPDate.format(epochSeconds: Int(info.st_mtim.tv_sec)),
            modifiedSeconds: Int(info.st_mtim.tv_sec),
            contentType: Self.contentType(for: resolved), size: Int(info.st_size), body: nil).withHeaders()
        if let ticket {
            guard let body = Self.readFile(resolved, size: Int(info.st_size)) else { throw HTTPError(.notFound) }
            file.body = body
            if body.count <= StaticFileCache.maxCachedBytes {
                cache.store(key, file, links: Int(info.st_nlink), ticket: ticket)
            }
        }
        return respond(to: request, file: file)
    }

    /// Answers from a checked file: 304 when the client's validators match, else the file.
    private func respond(to request: Request, file: StaticFileCache.File) -> Response {
        if let match = request.headers["if-none-match"] {
            let tags = match.split(separator: ",").map { trimmed($0) }
            if tags.contains(where: { $0 == "*" || $0 == file.etag || $0 == "W/" + file.etag }) {
                return Response(status: .notModified, headers: file.validatorHeaders)
            }
        } else if let since = request.headers["if-modified-since"].flatMap(HTTPDate.parse), file.modifiedSeconds <= since {
            return Response(status: .notModified, headers: file.validatorHeaders)
        }
        if request.method == .head {
            var headers = file.headers
            // The server keeps Content-Length for HEAD from this header and sends no body.
            headers.set("Content-Length", String(file.size))
            return Response(status: .ok, headers: headers)
        }
        return Response(status: .ok, headers: file.headers, body: file.body ?? [])
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
