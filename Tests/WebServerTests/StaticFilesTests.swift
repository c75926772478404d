#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import WebServer

/// The rule "an edited file is served at once" with the cache kept fresh by inotify: every change
/// below is made between two requests, and the second must see it.
@Suite(.serialized) struct StaticFilesTests {
    let root: String
    let files: StaticFiles

    init() {
        var template = Array("/tmp/static-files-test-XXXXXX".utf8CString)
        root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        files = StaticFiles(root: root, mountPath: "/site")
    }

    private func get(_ path: String) -> (status: Int, body: String) {
        do {
            let response = try files.respond(to: try Request(method: .get, target: path))
            return (response.status.code, String(decoding: response.body, as: UTF8.self))
        } catch {
            return (error.status.code, "")
        }
    }

    private func put(_ relative: String, _ text: String, modified: Int? = nil) {
        let path = root + "/" + relative
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        if let modified {
            // The same mtime as before: a `stat` could not tell the edit apart.
            var times = [timespec(tv_sec: modified, tv_nsec: 0), timespec(tv_sec: modified, tv_nsec: 0)]
            futimens(fd, &times)
        }
        close(fd)
    }

    private func removeRoot() { _ = system("rm -rf '\(root)'") }

    @Test func anEditWithTheSameSizeAndTimeIsServedAtOnce() {
        defer { removeRoot() }
        put("page.txt", "version one", modified: 1_000_000)
        #expect(get("/site/page.txt").body == "version one")
        #expect(get("/site/page.txt").body == "version one")   // from the cache
        #expect(StaticFileCache.shared.lookup(root + "/page.txt")?.isWatched == true)
        put("page.txt", "version two", modified: 1_000_000)
        #expect(get("/site/page.txt").body == "version two")
    }

    @Test func aReplacedOrDeletedFileIsSeenAtOnce() {
        defer { removeRoot() }
        put("page.txt", "old")
        #expect(get("/site/page.txt").body == "old")
        put("next.txt", "new")
        rename(root + "/next.txt", root + "/page.txt")
        #expect(get("/site/page.txt").body == "new")
        unlink(root + "/page.txt")
        #expect(get("/site/page.txt").status == 404)
    }

    @Test func aRenamedDirectoryOnThePathIsSeenAtOnce() {
        defer { removeRoot() }
        mkdir(root + "/docs", 0o755)
        put("docs/index.html", "<h1>docs</h1>")
        #expect(get("/site/docs/").body == "<h1>docs</h1>")
        #expect(get("/site/docs").status == 301)   // the cached index does not answer without the slash
        rename(root + "/docs", root + "/old-docs")
        #expect(get("/site/docs/").status == 404)
        mkdir(root + "/docs", 0o755)
        put("docs/index.html", "<h1>new docs</h1>")
        #expect(get("/site/docs/").body == "<h1>new docs</h1>")
    }

    @Test func aDirectoryServedUnderItsNewNameAfterARenameAboveItStaysFresh() {
        defer { removeRoot() }
        mkdir(root + "/one", 0o755)
        mkdir(root + "/one/two", 0o755)
        put("one/two/page.txt", "first")
        #expect(get("/site/one/two/page.txt").body == "first")
        rename(root + "/one", root + "/renamed")
        #expect(get("/site/one/two/page.txt").status == 404)
        #expect(get("/site/renamed/two/page.txt").body == "first")
        put("renamed/two/page.txt", "second")
        #expect(get("/site/renamed/two/page.txt").body == "second")
    }

    @Test func aFileReachedThroughASymlinkIsCheckedWithStat() {
        defer { removeRoot() }
        put("real.txt", "one")
        symlink(root + "/real.txt", root + "/link.txt")
        #expect(get("/site/link.txt").body == "one")
        #expect(StaticFileCache.shared.lookup(root + "/link.txt")?.isWatched == false)
        put("real.txt", "two!")
        #expect(get("/site/link.txt").body == "two!")
    }
}
