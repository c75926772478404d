#if canImport(Glibc)
import Glibc
#endif

// `http-bench --cpu`: CPU time per request of each server, and of wrk, with one request in flight
// per connection (`wrk -t1 -c16`). These hold still when the machine is busy, where requests per
// second do not: the server's user time is what our code costs, its system time the kernel's
// loopback TCP path, and wrk's time the client's share of the same two cores.

/// User and system CPU time, in seconds.
struct CPUTime {
    var user = 0.0
    var system = 0.0
    static func - (a: CPUTime, b: CPUTime) -> CPUTime { CPUTime(user: a.user - b.user, system: a.system - b.system) }
    static func + (a: CPUTime, b: CPUTime) -> CPUTime { CPUTime(user: a.user + b.user, system: a.system + b.system) }
}

/// The CPU time of processes so far (`/proc/PID/stat` fields 14 and 15).
func cpuTime(of pids: [pid_t]) -> CPUTime {
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    var total = CPUTime()
    for pid in pids {
        let fields = procStatFields(pid)
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
        total = total + CPUTime(user: user / ticks, system: system / ticks)
    }
    return total
}

/// What the process's waited-for children (wrk) used so far.
func childrenCPUTime() -> CPUTime {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return CPUTime(user: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
                   system: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6)
}

/// The processes whose parent is `parent` (nginx's workers).
func childProcesses(of parent: pid_t) -> [pid_t] {
    guard let directory = opendir("/proc") else { return [] }
    defer { closedir(directory) }
    var children: [pid_t] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard let pid = pid_t(name) else { continue }
        let fields = procStatFields(pid)
        if fields.count > 1, fields[1] == String(parent) { children.append(pid) }
    }
    return children
}

/// The fields of `/proc/PID/stat` after the command name (the state is first).
private func procStatFields(_ pid: pid_t) -> [Substring] {
    let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return [] }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 1024)
    let count = read(fd, &buffer, buffer.count)
    guard count > 0 else { return [] }
    let text = String(decoding: buffer[0..<count], as: UTF8.self)
    // The command name is in parentheses and may hold spaces.
    guard let close = text.lastIndex(of: ")") else { return [] }
    return text[text.index(after: close)...].split(separator: " ")
}

/// One server's CPU per request in one wrk run, in microseconds.
struct CPUPerRequest {
    var server: CPUTime
    var wrk: CPUTime
    var requestsPerSecond: Double
}

/// Runs `wrk -t1 -c16` against `port` and divides the CPU time `pids` and wrk used by the requests.
func measureCPUPerRequest(port: Int, path: String, seconds: Int, pids: () -> [pid_t]) -> CPUPerRequest? {
    _ = runWrk(port: port, path: path, seconds: 1, threads: 1, connections: 16)   // warm up
    let processes = pids()
    let serverBefore = cpuTime(of: processes), wrkBefore = childrenCPUTime()
    guard let result = runWrk(port: port, path: path, seconds: seconds, threads: 1, connections: 16), result.requests > 0 else { return nil }
    let server = cpuTime(of: processes) - serverBefore, wrk = childrenCPUTime() - wrkBefore
    let perRequest = 1e6 / Double(result.requests)
    return CPUPerRequest(server: CPUTime(user: server.user * perRequest, system: server.system * perRequest),
                         wrk: CPUTime(user: wrk.user * perRequest, system: wrk.system * perRequest),
                         requestsPerSecond: result.requestsPerSecond)
}
