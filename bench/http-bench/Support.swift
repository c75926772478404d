import BenchSupport
#if canImport(Glibc)
import Glibc
#endif

/// One wrk run's headline figures.
struct WrkResult {
    var requestsPerSecond: Double
    var p99Milliseconds: Double
    /// Requests completed in the run.
    var requests = 0
    /// What the server used meanwhile (set by the caller).
    var serverCPU = CPUTime()
}

/// Runs wrk (by default 2 threads, 64 connections) and parses `Requests/sec`, the request count
/// and the 99th percentile.
func runWrk(port: Int, path: String, script: String? = nil, seconds: Int, threads: Int = 2, connections: Int = 64) -> WrkResult? {
    var arguments = ["wrk", "-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--latency"]
    if let script { arguments += ["-s", script] }
    arguments.append("http://127.0.0.1:\(port)\(path)")
    guard let output = run(arguments) else { return nil }
    var result = WrkResult(requestsPerSecond: 0, p99Milliseconds: 0)
    for line in output.split(separator: "\n") {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        if fields.first == "Requests/sec:", fields.count > 1 { result.requestsPerSecond = Double(fields[1]) ?? 0 }
        if fields.first == "99%", fields.count > 1 { result.p99Milliseconds = milliseconds(String(fields[1])) }
        if fields.count > 2, fields[1] == "requests", fields[2] == "in" { result.requests = Int(fields[0]) ?? 0 }
        if line.contains("Non-2xx") { print("  warning: \(line.trimmingPrefix(" "))") }
    }
    return result.requestsPerSecond > 0 ? result : nil
}

/// wrk latency text (`1.23ms`, `850.00us`, `1.02s`) in milliseconds.
func milliseconds(_ text: String) -> Double {
    if text.hasSuffix("us") { return (Double(text.dropLast(2)) ?? 0) / 1000 }
    if text.hasSuffix("ms") { return Double(text.dropLast(2)) ?? 0 }
    if text.hasSuffix("s") { return (Double(text.dropLast(1)) ?? 0) * 1000 }
    return 0
}

/// Runs a program and returns its standard output, or nil if it could not run or failed.
func run(_ arguments: [String]) -> String? {
    var pipeFDs: [Int32] = [0, 0]
    guard pipe(&pipeFDs) == 0 else { return nil }
    let pid = fork()
    if pid == 0 {
        dup2(pipeFDs[1], 1)
        close(pipeFDs[0])
        let argv = arguments.map { strdup($0) } + [nil]
        execvp(arguments[0], argv)
        _exit(127)
    }
    close(pipeFDs[1])
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = read(pipeFDs[0], &buffer, buffer.count)
        if count <= 0 { break }
        output += buffer[0..<count]
    }
    close(pipeFDs[0])
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    guard status == 0 else { return nil }
    return String(decoding: output, as: UTF8.self)
}

/// Starts nginx in the foreground with a private config; nil when nginx is not installed.
func startNginx(prefix: String, port: Int, staticRoot: String) -> pid_t? {
    let candidates: [String] = ["/usr/sbin/nginx", "/usr/local/sbin/nginx"]
    let binary = candidates.first { access($0, X_OK) == 0 }
    guard let binary else {
        print("nginx not found (apt-get install nginx-light): skipping the comparison")
        return nil
    }
    let config = prefix + "/nginx.conf"
    writeFile(config, """
        worker_processes 2;
        user root;
        pid \(prefix)/nginx.pid;
        error_log \(prefix)/nginx-error.log warn;
        events { worker_connections 4096; }
        http {
            access_log off;
            sendfile on;
            tcp_nopush on;
            keepalive_requests 1000000;
            include /etc/nginx/mime.types;
            client_body_temp_path \(prefix)/nginx-body;
            proxy_temp_path \(prefix)/nginx-proxy;
            fastcgi_temp_path \(prefix)/nginx-fastcgi;
            uwsgi_temp_path \(prefix)/nginx-uwsgi;
            scgi_temp_path \(prefix)/nginx-scgi;
            server {
                listen 127.0.0.1:\(port);
                location = /plaintext { default_type text/plain; return 200 "Hello, World!"; }
                location /static/ { root \(staticRoot); etag on; }
            }
        }
        """)
    let pid = fork()
    if pid == 0 {
        let arguments = [binary, "-c", config, "-p", prefix, "-g", "daemon off;"]
        let argv = arguments.map { strdup($0) } + [nil]
        execv(binary, argv)
        _exit(127)
    }
    // Wait until it answers.
    for _ in 0..<100 {
        if LoopbackSocket.accepts(port: port) { return pid }
        usleep(50_000)
    }
    print("nginx did not start; see \(prefix)/nginx-error.log")
    kill(pid, SIGTERM)
    return nil
}


func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/http-bench-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
}

func writeFile(_ path: String, _ text: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    var text = text
    text.withUTF8 { _ = write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

func removeTree(_ path: String) {
    _ = run(["rm", "-rf", path])
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}

func format0(_ value: Double) -> String { String(Int(value.rounded())) }

func format2(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = abs(hundredths % 100)
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

/// Environment lookups without Foundation.
enum ProcessInfoLite {
    static func value(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}
