import BenchSupport
import Foundation

/// A real git host on loopback, as the end-to-end tests have it (Tests/e2e/git_host.py): nginx +
/// fcgiwrap + `git http-backend` serving bare repositories over smart HTTP with basic auth, in a
/// temporary directory that ``stop()`` removes with the processes.
final class LocalGitHost {
    let root: String
    let port: Int
    let username = "bench"
    let password = "bench-pass"
    private var processes: [Process] = []

    init() throws {
        root = NSTemporaryDirectory() + "gitops-bench-host-\(UUID().uuidString)"
        port = FreePort.pick()
        let manager = FileManager.default
        try manager.createDirectory(atPath: root + "/repos", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: root + "/tmp", withIntermediateDirectories: true)
        try "\(username):{PLAIN}\(password)\n".write(toFile: root + "/htpasswd", atomically: true, encoding: .utf8)
        do {
            let socket = root + "/fcgiwrap.sock"
            let fcgiwrap = try start("/usr/sbin/fcgiwrap", ["-c", "2", "-s", "unix:" + socket])
            try wait("fcgiwrap's socket") { manager.fileExists(atPath: socket) || !fcgiwrap.isRunning }
            try nginxConfig.write(toFile: root + "/nginx.conf", atomically: true, encoding: .utf8)
            let nginx = try start("/usr/sbin/nginx", ["-c", root + "/nginx.conf", "-p", root, "-e", root + "/nginx-error.log"])
            try wait("nginx on port \(port)") { Self.listening(port) || !nginx.isRunning }
            guard fcgiwrap.isRunning, nginx.isRunning else { throw BenchFailure("the git host did not start (see \(root))") }
        } catch {
            stop()
            throw error
        }
    }

    /// An empty bare repository that takes pushes; its URL without credentials.
    func create(_ name: String) throws -> String {
        try run("/usr/bin/git", ["init", "-q", "--bare", "-b", "main", path(name)])
        try run("/usr/bin/git", ["-C", path(name), "config", "http.receivepack", "true"])
        return url(name)
    }

    func path(_ name: String) -> String { root + "/repos/\(name).git" }
    func url(_ name: String) -> String { "http://127.0.0.1:\(port)/\(name).git" }
    func urlWithCredentials(_ name: String) -> String { "http://\(username):\(password)@127.0.0.1:\(port)/\(name).git" }

    /// The commit the repository's `main` points at (read as git http-backend left it).
    func head(_ name: String) -> String? {
        (try? String(contentsOfFile: path(name) + "/refs/heads/main", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func stop() {
        for process in processes.reversed() where process.isRunning {
            // fcgiwrap's preforked workers outlive a terminated parent, which then waits for them.
            for child in Self.children(of: process.processIdentifier) { kill(child, SIGTERM) }
            process.terminate()
            process.waitUntilExit()
        }
        processes = []
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The processes whose parent is `parent` (from /proc).
    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            // After "pid (name) state ppid …".
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent ? pid : nil
        }
    }

    private func start(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        processes.append(process)
        return process
    }

    private func wait(_ what: String, until done: () -> Bool) throws {
        let deadline = BenchClock.now() + 15
        while !done() {
            guard BenchClock.now() < deadline else { throw BenchFailure("timed out waiting for \(what)") }
            usleep(20_000)
        }
    }

    static func listening(_ port: Int) -> Bool {
        (try? LoopbackHTTP(port: port).request("GET", "/", headers: [:], body: [])) != nil
    }

    private var nginxConfig: String {
        """
        daemon off;
        master_process off;
        worker_processes 1;
        pid \(root)/nginx.pid;
        error_log \(root)/nginx-error.log warn;
        events { worker_connections 64; }
        http {
            access_log off;
            client_body_temp_path \(root)/tmp/body;
            fastcgi_temp_path \(root)/tmp/fastcgi;
            proxy_temp_path \(root)/tmp/proxy;
            uwsgi_temp_path \(root)/tmp/uwsgi;
            scgi_temp_path \(root)/tmp/scgi;
            client_max_body_size 0;
            server {
                listen 127.0.0.1:\(port);
                location / {
                    auth_basic "git";
                    auth_basic_user_file \(root)/htpasswd;
                    fastcgi_pass unix:\(root)/fcgiwrap.sock;
                    include /etc/nginx/fastcgi_params;
                    fastcgi_param SCRIPT_FILENAME /usr/lib/git-core/git-http-backend;
                    fastcgi_param GIT_PROJECT_ROOT \(root)/repos;
                    fastcgi_param GIT_HTTP_EXPORT_ALL "";
                    fastcgi_param PATH_INFO $uri;
                    fastcgi_param REMOTE_USER $remote_user;
                }
            }
        }

        """
    }
}

/// Why the benchmark could not run.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a program to the end; its standard output. Throws with its output when it fails.
@discardableResult
func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else {
        throw BenchFailure("\((executable as NSString).lastPathComponent) \(arguments.joined(separator: " ")): \(text)")
    }
    return text.trimmingCharacters(in: .whitespacesAndNewlines)
}
