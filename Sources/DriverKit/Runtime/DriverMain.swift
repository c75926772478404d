import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The entry point of a Swift driver executable: `DriverMain.run(MyDriver.self)` in main.swift.
///
/// `--metadata` prints the metadata line and exits; otherwise it sends `ready`, serves the
/// protocol on stdin/stdout, and exits when told to or when stdin closes.
public enum DriverMain {
    public static func run<D: DriverModule>(_ type: D.Type) -> Never {
        signal(SIGPIPE, SIG_IGN)
        let metadataOnly = CommandLine.arguments.dropFirst().contains("--metadata")
        Task { @DriverActor in
            if metadataOnly {
                let line = D.metadata.serialized + "\n"
                _ = line.withCString { write(1, $0, strlen($0)) }
                exit(0)
            }
            let process = DriverProcess(D.self, output: FileDescriptorOutput(fd: 1))
            running = process
            process.announce()
            process.run(input: 0)
        }
        dispatchMain()
    }

    /// Keeps the process object alive for the life of the executable.
    @DriverActor private static var running: DriverProcess?
}
