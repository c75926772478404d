import CLinuxShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The `mosquitto` child of a ``MosquittoBroker``, behind a small `sh` guard that stops it when
/// the pipe from this process closes — on ``stop()``, or when this process dies, even by `kill -9` —
/// and then removes the broker's directory.
///
/// Spawned with `posix_spawn` rather than Foundation's `Process`: the child must start with no
/// blocked signals (a Swift thread blocks SIGTERM, and a spawned child inherits that mask, so the
/// broker would ignore its stop signal) and with no descriptors but its own (an inherited copy of
/// another child's pipe would keep that pipe open, and its guard waiting, forever).
final class BrokerProcess: Sendable {
    let pid: pid_t
    /// Our end of the guard's pipe; closing it stops the broker.
    private let lifeline: Int32
    private let directory: String

    /// `directory` holds `mosquitto.conf` and whatever it names; it is removed once the broker ends.
    init(executable: String, directory: String, logFile: String?) throws(MQTTError) {
        var ends: [Int32] = [0, 0]
        guard clinux_pipe_cloexec(&ends) == 0 else { throw MQTTError("cannot create a pipe: \(String(cString: strerror(errno)))") }
        let output = open(logFile ?? "/dev/null", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        defer {
            close(ends[0])
            if output >= 0 { close(output) }
        }
        guard output >= 0 else {
            close(ends[1])
            throw MQTTError("cannot open \(logFile ?? "/dev/null"): \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ends[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        clinux_spawn_close_from(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        // The broker in the background; a reader of the pipe (on fd 3: an asynchronous list's
        // stdin is /dev/null) that stops it at end of file; when the broker has ended, its
        // directory goes and so does the guard.
        let script = """
            exec 3<&0
            "$0" -c "$1/mosquitto.conf" </dev/null 3<&- & broker=$!
            (read _ <&3; kill "$broker" 2>/dev/null) &
            wait "$broker"
            rm -rf -- "$1"
            """
        let arguments = ["/bin/sh", "-c", script, executable, directory]
        var cArguments = arguments.map { strdup($0) }
        cArguments.append(nil)
        defer { for pointer in cArguments { free(pointer) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, "/bin/sh", &actions, &attributes, cArguments, environ)
        guard result == 0 else {
            close(ends[1])
            throw MQTTError("cannot start mosquitto: \(String(cString: strerror(result)))")
        }
        pid = child
        lifeline = ends[1]
        self.directory = directory
    }

    /// Whether the guard (and so the broker) still runs; reaps it once it ended.
    var isRunning: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// Stops the broker: closes the pipe, waits up to 5 s, then kills the guard's whole story.
    func stop() {
        close(lifeline)
        for _ in 0..<500 {
            if !isRunning { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(atPath: directory)   // the guard did not get to it
    }
}
