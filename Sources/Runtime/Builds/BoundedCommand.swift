import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A child process run to completion under a time limit, its standard output and error
/// captured together (compilers, `driver --metadata`); paths are given absolute, it runs in
/// the server's working directory. The child leads its own process group,
/// so a limit that runs out kills whatever it started too (swiftc's frontends, a script's
/// children). Blocks the calling thread: call it from a worker, never a request thread.
struct BoundedCommand {
    struct Outcome: Sendable {
        /// The exit status, or nil when killed by a signal or the limit.
        var status: Int32?
        var output: String
        var timedOut: Bool
        /// The output was longer than `outputLimit` and was cut.
        var truncated: Bool
        var succeeded: Bool { status == 0 && !timedOut }
    }

    var executable: String
    var arguments: [String]
    var environment: [String: String] = ProcessInfo.processInfo.environment
    var timeLimit: Double
    var outputLimit = 1 << 20
    /// Where the running command is registered, when its owner may have to kill it.
    var registry: RunningCommands?

    func run() throws -> Outcome {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        // Other children spawned meanwhile must not inherit the pipe, or its end never comes.
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(fds[1])
        guard spawned == 0 else {
            close(fds[0])
            throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .ENOENT)
        }

        registry?.add(pid)
        defer { registry?.remove(pid) }
        let timedOut = TimedOutFlag()
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + timeLimit)
        timer.setEventHandler {
            timedOut.set()
            kill(-pid, SIGKILL)
        }
        timer.resume()

        var output: [UInt8] = []
        var truncated = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            if output.count < outputLimit { output.append(contentsOf: buffer[0..<min(count, outputLimit - output.count)]) }
            if output.count >= outputLimit { truncated = true }
        }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        timer.cancel()
        // Whatever the child left running in its group (a daemonised grandchild) goes too.
        kill(-pid, SIGKILL)
        let exited = status & 0x7f == 0
        return Outcome(status: exited ? (status >> 8) & 0xff : nil, output: String(decoding: output, as: UTF8.self),
                       timedOut: timedOut.value, truncated: truncated)
    }
}

/// The commands one owner (the build service) is running, so that stopping it kills them and
/// no compiler outlives the server.
final class RunningCommands: Sendable {
    private let groups = Mutex<Set<pid_t>>([])

    func add(_ pid: pid_t) { groups.withLock { _ = $0.insert(pid) } }
    func remove(_ pid: pid_t) { groups.withLock { _ = $0.remove(pid) } }
    var count: Int { groups.withLock { $0.count } }

    /// Kills the process group of every command running now.
    func killAll() {
        for pid in groups.withLock({ $0 }) { kill(-pid, SIGKILL) }
    }
}

/// Set once by the time-limit timer, read by the waiting thread.
private final class TimedOutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set() { lock.lock(); flag = true; lock.unlock() }
    var value: Bool { lock.lock(); defer { lock.unlock() }; return flag }
}
